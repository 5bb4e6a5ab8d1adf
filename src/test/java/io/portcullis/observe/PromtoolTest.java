package io.portcullis.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.portcullis.admin.AdminServer;
import io.portcullis.config.GatewayConfig.AdminConfig;
import io.portcullis.testing.Promtool;
import io.portcullis.testing.StubAdminModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The whole exposition, as served by the admin listener, passes {@code promtool check metrics}: Prometheus' own
 * parser and naming lint (HELP text, {@code _total} on counters, base units, no reserved suffixes on gauges). Covers
 * the Portcullis meters in every shape they take, plus the JVM, process and Netty allocator binders.
 */
class PromtoolTest {
    private static final long MS = 1_000_000;

    @Test
    void servedMetricsPassPromtool() throws Exception {
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (GatewayMetrics metrics = GatewayMetrics.create();
                AdminServer admin = AdminServer.start(new AdminConfig(true, "127.0.0.1", 0),
                        StubAdminModel.metrics(metrics::scrape, metrics.contentType()), group,
                        NioServerSocketChannel.class);
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            record(metrics);

            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + admin.address().getPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).hasValue(metrics.contentType());
            assertThat(response.body()).contains("portcullis_requests_total{", "jvm_memory_used_bytes{",
                    "netty_allocator_memory_used_bytes{", "portcullis_upstream_connections{");
            Promtool.assertClean(response.body());
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Two routes, every status class including 0, the unrouted series, cluster counters and endpoint gauges. */
    private static void record(GatewayMetrics metrics) {
        RouteMetrics api = metrics.route("api", "backend");
        RouteMetrics files = metrics.route("static", "files");
        api.record(200, 3 * MS, 2 * MS, 512, 4096);
        api.record(503, 40 * MS, 39 * MS, 0, 120);
        api.record(0, 1_500 * MS, -1, 1024, 0);
        files.record(304, MS / 2, MS / 3, 0, 0);
        files.record(101, MS, MS, 0, 0);
        files.record(404, 2 * MS, MS, 0, 60);
        metrics.unrouted().record(404, MS / 10, -1, 0, 60);
        ClusterMetrics backend = metrics.cluster("backend");
        backend.connectError();
        backend.timeout();
        backend.reset();
        backend.poolOverflow();
        backend.healthTransition("10.0.0.1:8080", false);
        backend.healthTransition("10.0.0.1:8080", true);
        metrics.cluster("files");
        metrics.endpoint("backend", "10.0.0.1:8080", new Stats(true, 2, 4, 2));
        metrics.endpoint("backend", "[::1]:8080", new Stats(false, 0, 0, 0));
        metrics.endpoint("files", "files.internal:80", new Stats(true, 1, 1, 0));
    }

    private record Stats(boolean healthy, int activeRequests, long openConnections, long idleConnections)
            implements EndpointStats {
    }
}
