package io.portcullis.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.micrometer.core.instrument.MeterRegistry;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Values after record() calls, caching, endpoint gauge replacement and removal, and the bound JVM/Netty meters. */
class GatewayMetricsTest {
    private static final long MS = 1_000_000;

    private final GatewayMetrics metrics = GatewayMetrics.create();
    private final MeterRegistry registry = metrics.registry();

    @AfterEach
    void close() {
        metrics.close();
    }

    @Test
    void countsExchangesByStatusClassWithZeroAsNone() {
        RouteMetrics api = metrics.route("api", "backend");
        for (int status : new int[] {200, 204, 302, 404, 429, 503, 0, 0, 101}) {
            api.record(status, MS, MS, 0, 0);
        }

        assertThat(requests("api", "backend", "1xx")).isEqualTo(1);
        assertThat(requests("api", "backend", "2xx")).isEqualTo(2);
        assertThat(requests("api", "backend", "3xx")).isEqualTo(1);
        assertThat(requests("api", "backend", "4xx")).isEqualTo(2);
        assertThat(requests("api", "backend", "5xx")).isEqualTo(1);
        assertThat(requests("api", "backend", "none")).isEqualTo(2);
    }

    @Test
    void statusClassOfEveryKindOfStatus() {
        assertThat(RouteMetrics.statusClass(0)).isZero();
        assertThat(RouteMetrics.statusClass(100)).isEqualTo(1);
        assertThat(RouteMetrics.statusClass(199)).isEqualTo(1);
        assertThat(RouteMetrics.statusClass(200)).isEqualTo(2);
        assertThat(RouteMetrics.statusClass(308)).isEqualTo(3);
        assertThat(RouteMetrics.statusClass(499)).isEqualTo(4);
        assertThat(RouteMetrics.statusClass(599)).isEqualTo(5);
        // Relayed from a backend that sent a status beyond the registry: a server error, not "no response".
        assertThat(RouteMetrics.statusClass(799)).isEqualTo(5);
        assertThat(MetricNames.STATUS_CLASSES.get(RouteMetrics.statusClass(0))).isEqualTo("none");
    }

    @Test
    void durationHistogramsUseTheFixedBucketsAndSkipUnreachedUpstreams() {
        RouteMetrics api = metrics.route("api", "backend");
        api.record(200, MS / 2, MS / 4, 0, 0);
        api.record(200, MS, 2 * MS, 0, 0); // exactly on a bound: counted in that bucket (le = less or equal)
        api.record(504, 40_000 * MS, -1, 0, 0); // beyond the last bound; never reached a backend

        Map<String, Double> s = samples(metrics.scrape());
        String series = "portcullis_request_duration_seconds_bucket{cluster=\"backend\",route=\"api\",le=";
        assertThat(s).containsEntry(series + "\"0.001\"}", 2.0)
                .containsEntry(series + "\"30.0\"}", 2.0)
                .containsEntry(series + "\"+Inf\"}", 3.0)
                .containsEntry("portcullis_request_duration_seconds_count{cluster=\"backend\",route=\"api\"}", 3.0);
        assertThat(s.get("portcullis_request_duration_seconds_sum{cluster=\"backend\",route=\"api\"}"))
                .isCloseTo(40.0015, offset(1e-9));
        String upstream = "portcullis_upstream_duration_seconds_bucket{cluster=\"backend\",route=\"api\",le=";
        assertThat(s).containsEntry(upstream + "\"0.001\"}", 1.0)
                .containsEntry(upstream + "\"0.0025\"}", 2.0)
                .containsEntry("portcullis_upstream_duration_seconds_count{cluster=\"backend\",route=\"api\"}", 2.0);
        long buckets = s.keySet().stream().filter(k -> k.startsWith(series)).count();
        assertThat(buckets).isEqualTo(MetricNames.DURATION_BUCKETS.size() + 1);
    }

    @Test
    void countsBodyBytes() {
        RouteMetrics api = metrics.route("api", "backend");
        api.record(200, MS, MS, 100, 2_000);
        api.record(200, MS, MS, 0, 48);

        assertThat(registry.get(MetricNames.REQUEST_BYTES).tags("route", "api", "cluster", "backend").counter()
                .count()).isEqualTo(100);
        assertThat(registry.get(MetricNames.RESPONSE_BYTES).tags("route", "api", "cluster", "backend").counter()
                .count()).isEqualTo(2_048);
    }

    @Test
    void recordsFromManyThreadsWithoutLosingAny() throws Exception {
        RouteMetrics api = metrics.route("api", "backend");
        int threads = 4;
        int each = 20_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < each; i++) {
                    api.record(200, MS, MS, 1, 1);
                }
            }));
        }
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }

        assertThat(requests("api", "backend", "2xx")).isEqualTo(threads * each);
        assertThat(samples(metrics.scrape()))
                .containsEntry("portcullis_request_duration_seconds_count{cluster=\"backend\",route=\"api\"}",
                        (double) threads * each);
    }

    @Test
    void sameArgumentsGiveTheSameInstance() {
        assertThat(metrics.route("api", "backend")).isSameAs(metrics.route("api", "backend"));
        assertThat(metrics.route("api", "backend")).isNotSameAs(metrics.route("api", "other"));
        assertThat(metrics.cluster("backend")).isSameAs(metrics.cluster("backend"));
        assertThat(metrics.unrouted()).isSameAs(metrics.route("none", "none"));
    }

    @Test
    void unroutedAnswersUseTheNoneLabels() {
        metrics.unrouted().record(404, MS, -1, 0, 0);

        assertThat(requests("none", "none", "4xx")).isEqualTo(1);
    }

    @Test
    void clusterCounters() {
        ClusterMetrics backend = metrics.cluster("backend");
        backend.connectError();
        backend.connectError();
        backend.timeout();
        backend.reset();
        backend.poolOverflow();
        backend.healthTransition("10.0.0.1:80", false);
        backend.healthTransition("10.0.0.1:80", true);
        backend.healthTransition("10.0.0.1:80", false);

        assertThat(clusterCount(MetricNames.UPSTREAM_CONNECT_ERRORS)).isEqualTo(2);
        assertThat(clusterCount(MetricNames.UPSTREAM_TIMEOUTS)).isEqualTo(1);
        assertThat(clusterCount(MetricNames.UPSTREAM_RESETS)).isEqualTo(1);
        assertThat(clusterCount(MetricNames.UPSTREAM_POOL_OVERFLOWS)).isEqualTo(1);
        assertThat(samples(metrics.scrape()))
                .containsEntry("portcullis_upstream_health_transitions_total{cluster=\"backend\","
                        + "endpoint=\"10.0.0.1:80\",to=\"unhealthy\"}", 2.0)
                .containsEntry("portcullis_upstream_health_transitions_total{cluster=\"backend\","
                        + "endpoint=\"10.0.0.1:80\",to=\"healthy\"}", 1.0);
    }

    @Test
    void reRegisteringAnEndpointReplacesItsGauges() {
        metrics.endpoint("backend", "10.0.0.1:80", new Stats(true, 3, 5, 2));
        assertThat(samples(metrics.scrape()))
                .containsEntry("portcullis_upstream_endpoint_healthy{cluster=\"backend\",endpoint=\"10.0.0.1:80\"}",
                        1.0)
                .containsEntry("portcullis_upstream_active_requests{cluster=\"backend\",endpoint=\"10.0.0.1:80\"}",
                        3.0);

        metrics.endpoint("backend", "10.0.0.1:80", new Stats(false, 7, 9, 4));

        String scrape = metrics.scrape();
        assertThat(samples(scrape))
                .containsEntry("portcullis_upstream_endpoint_healthy{cluster=\"backend\",endpoint=\"10.0.0.1:80\"}",
                        0.0)
                .containsEntry("portcullis_upstream_active_requests{cluster=\"backend\",endpoint=\"10.0.0.1:80\"}",
                        7.0)
                .containsEntry("portcullis_upstream_connections{cluster=\"backend\",endpoint=\"10.0.0.1:80\","
                        + "state=\"open\"}", 9.0)
                .containsEntry("portcullis_upstream_connections{cluster=\"backend\",endpoint=\"10.0.0.1:80\","
                        + "state=\"idle\"}", 4.0);
        assertThat(scrape.lines().filter(l -> l.startsWith("portcullis_upstream_endpoint_healthy{"))).hasSize(1);
        assertThat(scrape.lines().filter(l -> l.startsWith("portcullis_upstream_connections{"))).hasSize(2);
        assertThat(registry.find(MetricNames.UPSTREAM_ACTIVE_REQUESTS).gauges()).hasSize(1);
    }

    @Test
    void endpointGaugesKeepTheirStatsAlive() {
        // Nothing else references the stats: a weakly held gauge would read NaN once collected.
        metrics.endpoint("backend", "10.0.0.1:80", new Stats(true, 3, 5, 2));
        System.gc();

        assertThat(registry.get(MetricNames.UPSTREAM_ACTIVE_REQUESTS).gauge().value()).isEqualTo(3.0);
    }

    @Test
    void removeEndpointRemovesItsSeries() {
        metrics.endpoint("backend", "10.0.0.1:80", new Stats(true, 3, 5, 2));
        metrics.endpoint("backend", "10.0.0.2:80", new Stats(true, 1, 1, 1));

        metrics.removeEndpoint("backend", "10.0.0.1:80");
        metrics.removeEndpoint("backend", "10.0.0.9:80"); // unknown: nothing to do

        String scrape = metrics.scrape();
        assertThat(scrape).doesNotContain("10.0.0.1:80").contains("endpoint=\"10.0.0.2:80\"");
        assertThat(registry.find(MetricNames.UPSTREAM_CONNECTIONS).gauges()).hasSize(2);
    }

    @Test
    void scrapeHasJvmProcessAndNettyAllocatorMeters() {
        String scrape = metrics.scrape();

        assertThat(scrape).contains("jvm_memory_used_bytes{", "jvm_gc_", "jvm_threads_live_threads ",
                "jvm_classes_loaded_classes ", "process_cpu_usage ", "process_cpu_seconds_total ",
                "process_uptime_seconds ", "system_cpus ",
                "netty_allocator_memory_used_bytes{allocator_type=\"PooledByteBufAllocator\",memory_type=\"direct\"}",
                "netty_allocator_pooled_arenas{", "netty_allocator_pooled_chunk_size_bytes{");
        assertThat(scrape).doesNotContain("process_cpu_time_ns", "system_cpu_count");
        assertThat(scrape.lines().filter(l -> l.startsWith("netty_allocator_")))
                .isNotEmpty()
                .noneMatch(l -> l.contains(",id=\"") || l.contains("{id=\""));
        assertThat(scrape.lines().filter(l -> l.startsWith("# HELP ")))
                .allSatisfy(help -> assertThat(help).matches("# HELP \\S+ \\S.*"));
    }

    @Test
    void contentTypeIsTheTextFormatTheScrapeIsWrittenIn() {
        assertThat(metrics.contentType()).isEqualTo(PrometheusTextFormatWriter.CONTENT_TYPE);
        assertThat(metrics.scrape()).doesNotContain("# EOF");
    }

    private double requests(String route, String cluster, String statusClass) {
        return registry.get(MetricNames.REQUESTS)
                .tags("route", route, "cluster", cluster, "status_class", statusClass).counter().count();
    }

    private double clusterCount(String name) {
        return registry.get(name).tags("cluster", "backend").counter().count();
    }

    /** Series (name and labels as rendered) to value. */
    static Map<String, Double> samples(String scrape) {
        Map<String, Double> samples = new LinkedHashMap<>();
        scrape.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).forEach(l -> {
            int space = l.lastIndexOf(' ');
            samples.put(l.substring(0, space), Double.parseDouble(l.substring(space + 1)));
        });
        return samples;
    }

    private record Stats(boolean healthy, int activeRequests, long openConnections, long idleConnections)
            implements EndpointStats {
    }
}
