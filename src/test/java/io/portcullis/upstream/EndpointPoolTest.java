package io.portcullis.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.portcullis.config.ClusterConfig;
import io.portcullis.testing.TestBackend;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A route's connect timeout reaches the socket it opens, and the cluster's applies otherwise. (A connect that hangs
 * cannot be produced on loopback, so the setting itself is what is checked, on a real connection.)
 */
class EndpointPoolTest {
    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private int connectTimeoutOfANewConnection(TestBackend backend, long routeMillis) throws Exception {
        ClusterConfig cluster = ClusterConfig.of("api", List.of(new ClusterConfig.Endpoint("127.0.0.1",
                backend.port())));
        UpstreamEndpoint endpoint = new UpstreamEndpoint(cluster, cluster.endpoints().get(0),
                new InetSocketAddress("127.0.0.1", backend.port()));
        EventLoop loop = (EventLoop) group.next();
        UpstreamPools pools = new UpstreamPools(loop, NioSocketChannel.class);
        CompletableFuture<Integer> timeout = new CompletableFuture<>();
        loop.execute(() -> pools.pool(endpoint).acquire(new AcquireCallback() {
            @Override
            public void onAcquired(UpstreamConnection c, boolean reused) {
                timeout.complete(c.channel().config().getConnectTimeoutMillis());
                c.abort();
            }

            @Override
            public void onAcquireFailed(Throwable cause) {
                timeout.completeExceptionally(cause);
            }
        }, routeMillis));
        return timeout.get(5, TimeUnit.SECONDS);
    }

    @Test
    void aRoutesConnectTimeoutReachesTheSocketAndTheClustersAppliesOtherwise() throws Exception {
        try (TestBackend backend = new TestBackend()) {
            assertThat(connectTimeoutOfANewConnection(backend, 1234)).isEqualTo(1234);
            assertThat(connectTimeoutOfANewConnection(backend, -1))
                    .isEqualTo((int) ClusterConfig.DEFAULT_CONNECT_TIMEOUT.toMillis());
        }
    }
}
