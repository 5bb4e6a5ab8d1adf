package io.portcullis.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portcullis.testing.NamedBackends;
import io.portcullis.testing.NamedBackendsAndGateway;
import io.portcullis.testing.TestGateway;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bulkheads keep one struggling cluster from hurting another, and a failover cluster takes over while a cluster has
 * nothing healthy, end to end.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BulkheadAndFailoverTest extends NamedBackendsAndGateway {
    private HttpResponse<String> get(String path) throws Exception {
        return gw.client().send(HttpRequest.newBuilder(gw.uri(path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<HttpResponse<String>> getAsync(String path) {
        return gw.client().sendAsync(HttpRequest.newBuilder(gw.uri(path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** p99 of {@code n} sequential requests, in microseconds; every one must succeed. */
    private long p99Micros(String path, int n) throws Exception {
        long[] micros = new long[n];
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            HttpResponse<String> r = get(path);
            micros[i] = (System.nanoTime() - start) / 1000;
            assertThat(r.statusCode()).as("%s #%d: %s", path, i, r.body()).isEqualTo(200);
        }
        Arrays.sort(micros);
        return micros[(int) Math.ceil(n * 0.99) - 1];
    }

    @Test
    void aFullBulkheadAnswers503AtOnceAndLeavesOtherClustersAlone() throws Exception {
        backends = new NamedBackends(2);
        backends.get(0).delay(5_000); // the struggling service
        gw = TestGateway.start(TestGateway.yaml("""
                  - name: slow
                    match: { path_prefix: /slow }
                    cluster: slow
                    timeout: 10s
                  - name: fast
                    match: { path_prefix: /fast }
                    cluster: fast
                """, """
                  - name: slow
                    endpoints: [ "${B0}" ]
                    limits: { max_requests: 8 }
                  - name: fast
                    endpoints: [ "${B1}" ]
                """), backends.env());
        for (int i = 0; i < 50; i++) {
            get("/fast/warm-up");
        }
        long undisturbed = p99Micros("/fast/a", 300);

        List<CompletableFuture<HttpResponse<String>>> stuck = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            stuck.add(getAsync("/slow/" + i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> backends.get(0).requests() == 8);
        long start = System.nanoTime();
        HttpResponse<String> refused = get("/slow/one-more");
        long refusedMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body()).contains("UPSTREAM_OVERFLOW");
        assertThat(refusedMillis).as("refused at once, not after the backend's delay").isLessThan(1000);

        long disturbed = p99Micros("/fast/b", 300);
        // 2x of the undisturbed p99, with 1 ms of slack for scheduler noise at sub-millisecond latencies.
        assertThat(disturbed).as("p99 µs with the slow cluster's bulkhead full vs %d undisturbed", undisturbed)
                .isLessThanOrEqualTo(2 * undisturbed + 1000);
        assertThat(stuck).allSatisfy(f -> assertThat(f).isNotDone());
    }

    @Test
    void maxPendingRefusesRequestsBeyondTheQueue() throws Exception {
        backends = new NamedBackends(1);
        backends.get(0).delay(500);
        gw = TestGateway.start("""
                access_log: { enabled: false }
                server: { event_loops: 1 }
                listeners: [ { name: public, address: "127.0.0.1:0" } ]
                routes: [ { name: all, match: { path_prefix: / }, cluster: api } ]
                clusters:
                  - name: api
                    endpoints: [ "${B0}" ]
                    connect_timeout: 5s
                    pool: { max_connections: 1 }
                    limits: { max_pending: 1 }
                """, backends.env());
        CompletableFuture<HttpResponse<String>> first = getAsync("/1");
        await().atMost(Duration.ofSeconds(5)).until(() -> backends.get(0).requests() == 1);
        CompletableFuture<HttpResponse<String>> queued = getAsync("/2");
        await().atMost(Duration.ofSeconds(5)).until(() -> gw.gateway().clusters().get("api").inFlight() == 2);
        HttpResponse<String> refused = get("/3");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body()).contains("UPSTREAM_POOL_EXHAUSTED");
        assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(queued.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    @Test
    void aFailoverClusterServesWhileThePrimaryHasNothingHealthyAndTrafficReturns() throws Exception {
        backends = new NamedBackends(2);
        gw = TestGateway.start(TestGateway.oneCluster("", """
                    endpoints: [ "${B0}" ]
                    failover: other-region
                    health_check: { http: { path: /healthz }, interval: 20ms, healthy_threshold: 1, unhealthy_threshold: 1 }
                  - name: other-region
                    endpoints: [ "${B1}" ]
                """), backends.env());
        assertThat(get("/x").body()).isEqualTo("b0");

        backends.get(0).healthStatus(503);
        await().atMost(Duration.ofSeconds(5)).until(() -> get("/x").body().equals("b1"));
        for (int i = 0; i < 10; i++) {
            assertThat(get("/x").body()).isEqualTo("b1");
        }

        backends.get(0).healthStatus(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> get("/x").body().equals("b0"));
    }
}
