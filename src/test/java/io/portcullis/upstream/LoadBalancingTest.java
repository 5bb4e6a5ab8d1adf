package io.portcullis.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.portcullis.testing.NamedBackends;
import io.portcullis.testing.NamedBackendsAndGateway;
import io.portcullis.testing.TestGateway;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each load-balancing policy end to end: real backends that answer with their name, a gateway in front, and counts
 * of who served what. Bounds are statistical where the policy is random, exact where it is not.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoadBalancingTest extends NamedBackendsAndGateway {
    private NamedBackends backends(int n) throws Exception {
        backends = new NamedBackends(n);
        return backends;
    }

    /** A gateway with one catch-all route (plus {@code routeExtra}) to cluster {@code api} as given. */
    private void gateway(String routeExtra, String cluster) throws Exception {
        gw = TestGateway.start(TestGateway.oneCluster(routeExtra, cluster), backends.env());
    }

    private String get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path)).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> r = gw.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("status of %s", path).isEqualTo(200);
        return r.body();
    }

    @Test
    void weightedRoundRobinFollowsWeights() throws Exception {
        backends(3);
        gateway("", """
                    lb_policy: round_robin
                    endpoints:
                      - { address: "${B0}", weight: 1 }
                      - { address: "${B1}", weight: 2 }
                      - { address: "${B2}", weight: 3 }
                """);
        // One client connection stays on one event loop, whose smooth weighted round robin is exact per cycle.
        for (int i = 0; i < 600; i++) {
            get("/rr");
        }
        assertThat(backends.served()).containsEntry("b0", 100).containsEntry("b1", 200).containsEntry("b2", 300);
    }

    @Test
    void randomSpreadsByWeightWithinStatisticalBounds() throws Exception {
        backends(2);
        gateway("", """
                    lb_policy: random
                    endpoints:
                      - { address: "${B0}", weight: 1 }
                      - { address: "${B1}", weight: 3 }
                """);
        int n = 2000;
        for (int i = 0; i < n; i++) {
            get("/r");
        }
        // Binomial(2000, 0.25): sd ~19.4; 5 sd either side.
        assertThat(backends.get(0).requests()).isCloseTo(500, within(97));
        assertThat(backends.get(0).requests() + backends.get(1).requests()).isEqualTo(n);
    }

    @Test
    void ringHashKeepsEachKeyOnOneEndpointAndSpreadsKeys() throws Exception {
        backends(3);
        gateway("    hash_key: { header: x-user }\n", """
                    lb_policy: ring_hash
                    endpoints: [ "${B0}", "${B1}", "${B2}" ]
                """);
        Map<String, String> owner = new HashMap<>();
        for (int user = 0; user < 300; user++) {
            owner.put("u" + user, get("/h", "x-user", "u" + user));
        }
        for (int user = 0; user < 300; user += 7) {
            assertThat(get("/h", "x-user", "u" + user)).as("user u%d", user).isEqualTo(owner.get("u" + user));
        }
        Map<String, Integer> perBackend = new HashMap<>();
        owner.values().forEach(b -> perBackend.merge(b, 1, Integer::sum));
        // 300 keys over 3 equal endpoints: each gets 100 +- 5 sd (sd ~8.2).
        assertThat(perBackend).hasSize(3).allSatisfy((b, keys) -> assertThat(keys).isBetween(59, 141));
    }

    @Test
    void maglevByQueryParameterAndCookie() throws Exception {
        backends(3);
        gw = TestGateway.start(TestGateway.yaml("""
                  - name: by-cookie
                    match: { path_prefix: /c }
                    cluster: api
                    hash_key: { cookie: session }
                  - name: by-tenant
                    match: { path_prefix: / }
                    cluster: api
                    hash_key: { query_param: tenant }
                """, """
                  - name: api
                    lb_policy: maglev
                    endpoints: [ "${B0}", "${B1}", "${B2}" ]
                """), backends.env());
        String tenant = get("/q?x=1&tenant=acme");
        String session = get("/c", "cookie", "theme=dark; session=s-42");
        for (int i = 0; i < 20; i++) {
            assertThat(get("/q?tenant=acme&i=" + i)).isEqualTo(tenant);
            assertThat(get("/c/" + i, "cookie", "session=s-42")).isEqualTo(session);
        }
        Map<String, Integer> tenants = new HashMap<>();
        Map<String, Integer> sessions = new HashMap<>();
        for (int t = 0; t < 60; t++) {
            tenants.merge(get("/q?tenant=t" + t), 1, Integer::sum);
            sessions.merge(get("/c", "cookie", "session=s" + t), 1, Integer::sum);
        }
        assertThat(tenants).hasSize(3);
        assertThat(sessions).hasSize(3);
    }

    @Test
    void requestsWithoutTheKeyAreSpreadAtRandom() throws Exception {
        backends(3);
        gateway("    hash_key: { header: x-user }\n", """
                    lb_policy: ring_hash
                    endpoints: [ "${B0}", "${B1}", "${B2}" ]
                """);
        for (int i = 0; i < 300; i++) {
            get("/nokey");
        }
        assertThat(backends.served()).allSatisfy((b, n) -> assertThat(n).isBetween(40, 160));
    }

    @Test
    void leastRequestSendsLessToASlowEndpointUnderConcurrentLoad() throws Exception {
        backends(3);
        backends.get(0).delay(50);
        gateway("", """
                    lb_policy: least_request
                    endpoints: [ "${B0}", "${B1}", "${B2}" ]
                """);
        int clients = 12;
        int perClient = 60;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perClient; i++) {
                        get("/lr");
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(50, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        int slow = backends.get(0).requests();
        int fast = Math.min(backends.get(1).requests(), backends.get(2).requests());
        // Round robin would give each a third (240). The slow endpoint holds its requests 50 ms, so it is
        // the busiest almost every time a pick is made.
        assertThat(slow).as("served by the slow endpoint: %s", backends.served()).isLessThan(fast / 3);
        assertThat(slow + backends.get(1).requests() + backends.get(2).requests()).isEqualTo(clients * perClient);
    }

    @Test
    void activeRequestsCountEveryLoopsRequestsInFlightAndReturnToZero() throws Exception {
        backends(1);
        backends.get(0).delay(400);
        gateway("", """
                    lb_policy: least_request
                    endpoints: [ "${B0}" ]
                """);
        UpstreamEndpoint endpoint = gw.gateway().clusters().get("api").endpoints().get(0);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<String>> done = new ArrayList<>();
            for (int c = 0; c < 6; c++) {
                done.add(pool.submit(() -> get("/in-flight")));
            }
            // Six client connections spread over the loops; the shared count sees all of them at once.
            await().atMost(Duration.ofSeconds(5)).until(() -> endpoint.activeRequests() == 6);
            for (Future<String> f : done) {
                assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("b0");
            }
        } finally {
            pool.shutdownNow();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> endpoint.activeRequests() == 0);
    }

    @Test
    void fullPoolQueuesRequestsUntilAConnectionIsReturned() throws Exception {
        backends(1);
        backends.get(0).delay(30);
        gateway("", """
                    connect_timeout: 5s
                    pool: { max_connections: 1 }
                    endpoints: [ "${B0}" ]
                """);
        assertThat(concurrentStatuses(8)).containsOnly("200 b0");
    }

    @Test
    void fullPoolAnswers503WhenNoConnectionIsReturnedWithinTheConnectTimeout() throws Exception {
        backends(1);
        backends.get(0).delay(600);
        gateway("", """
                    connect_timeout: 150ms
                    pool: { max_connections: 1 }
                    endpoints: [ "${B0}" ]
                """);
        List<String> statuses = concurrentStatuses(4);
        // Each event loop owns one connection: the first request on each loop is served, the rest time out waiting.
        int loops = System.getenv("LOOPS") == null ? 2 : Integer.parseInt(System.getenv("LOOPS"));
        long served = statuses.stream().filter(s -> s.equals("200 b0")).count();
        assertThat(served).as("%s", statuses).isBetween(1L, (long) loops);
        assertThat(statuses).filteredOn(s -> !s.equals("200 b0")).hasSize(4 - (int) served)
                .allSatisfy(s -> assertThat(s).startsWith("503 ").contains("UPSTREAM_POOL_EXHAUSTED"));
    }

    /** Sends {@code n} requests at once, on as many client connections; "status body" of each. */
    private List<String> concurrentStatuses(int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<String>> done = new ArrayList<>();
            for (int c = 0; c < n; c++) {
                done.add(pool.submit(() -> {
                    HttpResponse<String> r = gw.client().send(HttpRequest.newBuilder(gw.uri("/slow"))
                            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                    return r.statusCode() + " " + r.body();
                }));
            }
            List<String> out = new ArrayList<>();
            for (Future<String> f : done) {
                out.add(f.get(20, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
