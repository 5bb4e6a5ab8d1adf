package io.portcullis.upstream.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.portcullis.config.ClusterConfig;
import io.portcullis.config.ClusterConfig.StatusRange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP check's handlers in-process: the request bytes, the decision on the head, and the body left behind. */
class HttpProbeTest {
    private final List<String> outcomes = new ArrayList<>();
    private final Probe.Outcome outcome = new Probe.Outcome() {
        @Override
        public void pass(String reason) {
            outcomes.add("pass: " + reason);
        }

        @Override
        public void fail(String reason) {
            outcomes.add("fail: " + reason);
        }
    };
    private EmbeddedChannel channel;

    @AfterEach
    void finish() {
        channel.finishAndReleaseAll();
    }

    private EmbeddedChannel connect(String path, String host, StatusRange... expected) {
        HttpProbe probe = new HttpProbe(new ClusterConfig.Http(path, null, List.of(expected)), host);
        channel = new EmbeddedChannel(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                probe.install(ch.pipeline(), outcome);
            }
        });
        return channel;
    }

    private static String written(EmbeddedChannel ch) {
        StringBuilder out = new StringBuilder();
        ByteBuf buf;
        while ((buf = ch.readOutbound()) != null) {
            out.append(buf.toString(StandardCharsets.US_ASCII));
            buf.release();
        }
        return out.toString();
    }

    private static void receive(EmbeddedChannel ch, String bytes) {
        ch.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.US_ASCII));
    }

    @Test
    void sendsOneGetWithHostUserAgentAndConnectionClose() {
        EmbeddedChannel ch = connect("/healthz?deep=1", "api.internal:8080", StatusRange.SUCCESS);
        assertThat(written(ch)).isEqualTo("GET /healthz?deep=1 HTTP/1.1\r\n"
                + "host: api.internal:8080\r\n"
                + "user-agent: portcullis-health-check\r\n"
                + "connection: close\r\n"
                + "\r\n");
    }

    @Test
    void decidesOnTheHeadThenDrainsTheBodyAndCloses() {
        EmbeddedChannel ch = connect("/", "h", StatusRange.SUCCESS);
        written(ch);
        receive(ch, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");
        assertThat(outcomes).containsExactly("pass: status 200");
        assertThat(ch.isOpen()).as("still reading the body").isTrue();
        receive(ch, "world");
        assertThat(ch.isOpen()).isFalse();
        assertThat(outcomes).containsExactly("pass: status 200");
        Object passedOn = ch.readInbound();
        assertThat(passedOn).as("nothing passed on").isNull();
    }

    @Test
    void unexpectedStatusFailsWithTheStatus() {
        EmbeddedChannel ch = connect("/", "h", StatusRange.SUCCESS);
        written(ch);
        receive(ch, "HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbusy\r\n0\r\n\r\n");
        assertThat(outcomes).containsExactly("fail: status 503 not in expected statuses");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void interimResponsesAreSkipped() {
        EmbeddedChannel ch = connect("/", "h", new StatusRange(204, 204));
        written(ch);
        receive(ch, "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n");
        assertThat(outcomes).isEmpty();
        assertThat(ch.isOpen()).isTrue();
        receive(ch, "HTTP/1.1 204 No Content\r\n\r\n");
        assertThat(outcomes).containsExactly("pass: status 204");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void malformedResponseFails() {
        EmbeddedChannel ch = connect("/", "h", StatusRange.SUCCESS);
        written(ch);
        receive(ch, "HTTP/1.1 2OO OK\r\n\r\n");
        assertThat(outcomes).singleElement().asString().startsWith("fail: invalid response: ");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void readErrorFails() {
        EmbeddedChannel ch = connect("/", "h", StatusRange.SUCCESS);
        written(ch);
        ch.pipeline().fireExceptionCaught(new IOException("recvAddress(..) failed: Connection reset by peer"));
        assertThat(outcomes).containsExactly("fail: read failed: Connection reset by peer");
        assertThat(ch.isOpen()).isFalse();
    }
}
