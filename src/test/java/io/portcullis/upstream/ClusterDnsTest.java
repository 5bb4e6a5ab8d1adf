package io.portcullis.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.portcullis.config.ClusterConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** DNS names are resolved again on the cluster's interval, and the endpoint set follows the answers. */
class ClusterDnsTest {
    private final MultiThreadIoEventLoopGroup control = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final AtomicReference<Object> answer = new AtomicReference<>();
    private final List<String> removed = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        control.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private InetAddress[] resolve(String host) throws UnknownHostException {
        Object a = answer.get();
        if (a instanceof UnknownHostException e) {
            throw e;
        }
        String[] ips = (String[]) a;
        InetAddress[] out = new InetAddress[ips.length];
        for (int i = 0; i < ips.length; i++) {
            out[i] = InetAddress.getByAddress(host, InetAddress.getByName(ips[i]).getAddress());
        }
        return out;
    }

    private Cluster start(ClusterConfig config) throws Exception {
        Cluster cluster = Cluster.resolve(config, null, this::resolve);
        cluster.start((EventLoop) control.next(), NioSocketChannel.class, new Cluster.Listener() {
            @Override
            public void onEndpointsChanged(Cluster c, List<UpstreamEndpoint> gone) {
                gone.forEach(e -> removed.add(e.toString()));
            }
        });
        return cluster;
    }

    private static List<String> names(Cluster cluster) {
        return cluster.endpoints().stream().map(UpstreamEndpoint::toString).toList();
    }

    private static ClusterConfig config(Duration refresh) {
        ClusterConfig base = ClusterConfig.of("api", List.of(new ClusterConfig.Endpoint("api.internal", 8080)));
        return new ClusterConfig(base.name(), base.endpoints(), base.lbPolicy(), base.connectTimeout(), base.pool(),
                base.healthCheck(), base.panicThreshold(), base.optional(), refresh, 0, base.resilience());
    }

    @Test
    void everyAddressOfANameIsAnEndpointAndTheSetFollowsDns() throws Exception {
        answer.set(new String[] {"10.0.0.1", "10.0.0.2"});
        Cluster cluster = start(config(Duration.ofMillis(20)));
        assertThat(names(cluster)).containsExactly("api.internal:8080/10.0.0.1", "api.internal:8080/10.0.0.2");
        UpstreamEndpoint kept = cluster.endpoints().get(1);

        answer.set(new String[] {"10.0.0.2", "10.0.0.3"});
        await().atMost(Duration.ofSeconds(5)).until(() -> names(cluster).contains("api.internal:8080/10.0.0.3"));

        assertThat(names(cluster)).containsExactly("api.internal:8080/10.0.0.2", "api.internal:8080/10.0.0.3");
        // An address DNS still returns keeps its endpoint (and with it its pools, health and counters).
        assertThat(cluster.endpoints().get(0)).isSameAs(kept);
        assertThat(removed).containsExactly("api.internal:8080/10.0.0.1");
        cluster.close();
    }

    @Test
    void aFailedRefreshKeepsTheEndpoints() throws Exception {
        answer.set(new String[] {"10.0.0.1"});
        Cluster cluster = start(config(Duration.ofMillis(20)));
        answer.set(new UnknownHostException("api.internal: temporary failure"));
        await().pollDelay(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> true);
        assertThat(names(cluster)).containsExactly("api.internal:8080/10.0.0.1");
        assertThat(removed).isEmpty();
        cluster.close();
    }

    @Test
    void zeroRefreshResolvesOnlyAtLoad() throws Exception {
        answer.set(new String[] {"10.0.0.1"});
        Cluster cluster = start(config(Duration.ZERO));
        answer.set(new String[] {"10.0.0.9"});
        await().pollDelay(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> true);
        assertThat(names(cluster)).containsExactly("api.internal:8080/10.0.0.1");
        cluster.close();
    }
}
