package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The decoder in process: the head scanner and the chunked-body scanner keep their place when the bytes arrive in
 * arbitrary pieces, and never refuse what is valid nor accept what is not, whatever the split.
 */
class StrictRequestDecoderTest {
    private static final String PIPELINE = ""
            + "\r\nGET /a HTTP/1.1\r\nHost: x\r\nX-Long: " + "v".repeat(100) + "\r\n\r\n"
            + "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello\r\n wor"
            + "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;ext=1\r\nhello\r\n6\r\n\r\n \r\n!\r\n0\r\nX-Trailer: t\r\n\r\n"
            + "GET /d HTTP/1.1\r\nHost: x\r\n\r\n";

    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(new StrictRequestDecoder(256, 1024, 200, 0));
    }

    /** Feeds {@code text} in pieces of {@code size} bytes and returns a summary of what was decoded. */
    private static List<String> decode(String text, int size) {
        EmbeddedChannel ch = channel();
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < bytes.length; i += size) {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, i, Math.min(size, bytes.length - i)));
        }
        List<String> out = new ArrayList<>();
        HttpObject msg;
        long body = 0;
        while ((msg = ch.readInbound()) != null) {
            if (msg.decoderResult().isFailure()) {
                Throwable cause = msg.decoderResult().cause();
                out.add("FAIL " + (cause instanceof RejectedRequestException r ? r.reason() : cause.getClass().getSimpleName()));
            } else if (msg instanceof HttpRequest r) {
                out.add(r.method() + " " + r.uri());
            }
            if (msg instanceof HttpContent c) {
                body += c.content().readableBytes();
                if (c instanceof LastHttpContent last && !msg.decoderResult().isFailure()) {
                    out.add("end " + body + (last.trailingHeaders().isEmpty() ? "" : " " + last.trailingHeaders().get("x-trailer")));
                    body = 0;
                }
            }
            ReferenceCountUtil.release(msg);
        }
        ch.finishAndReleaseAll();
        return out;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 7, 13, 64, 1000})
    void validPipelineDecodesTheSameWhateverTheSplit(int size) {
        assertThat(decode(PIPELINE, size)).containsExactly(
                "GET /a", "end 0", "POST /b", "end 11", "POST /c", "end 11 t", "GET /d", "end 0");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 1000})
    void obsFoldIsRefusedEvenWhenTheFoldStraddlesTwoReads(int size) {
        assertThat(decode("GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n folded\r\n\r\n", size))
                .containsExactly("FAIL INVALID_HEADER");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 1000})
    void trailerProblemsAreRefusedAfterAValidBodyWhateverTheSplit(int size) {
        String head = "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
        assertThat(decode(head + "3\r\nabc\r\n0\r\nX-T: a\r\n b\r\n\r\n", size))
                .containsExactly("POST /c", "FAIL INVALID_HEADER");
        assertThat(decode(head + "3\r\nabc\r\n0\r\nX-T: " + "v".repeat(300) + "\r\n\r\n", size))
                .containsExactly("POST /c", "FAIL HEADERS_TOO_LARGE");
        assertThat(decode(head + "3\r\nabcd\r\n0\r\n\r\n", size))
                .containsExactly("POST /c", "FAIL INVALID_FRAMING");
    }

    @Test
    void secondRequestOfAPipelineIsScannedAfterAFixedLengthBodyThatLooksLikeAFold() {
        // The first body contains "\r\n " (a fold if it were a head): it must not be scanned as one.
        String text = "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n\r\n x"
                + "GET /b HTTP/1.1\r\nHost: x\r\nX: 1\r\n\ty\r\n\r\n";
        assertThat(decode(text, 1)).containsExactly("POST /a", "end 4", "FAIL INVALID_HEADER");
        assertThat(decode(text, 1000)).containsExactly("POST /a", "end 4", "FAIL INVALID_HEADER");
    }

    @Test
    void versionIsCaseSensitive() {
        assertThat(decode("GET / http/1.1\r\nHost: x\r\n\r\n", 1000)).hasSize(1).first().asString()
                .startsWith("FAIL");
    }
}
