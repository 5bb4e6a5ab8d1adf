package io.portcullis.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portcullis.config.ConfigLoader;
import io.portcullis.testing.NamedBackends;
import io.portcullis.testing.NamedBackendsAndGateway;
import io.portcullis.testing.TestGateway;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Traffic follows active health checks end to end: backends whose {@code /healthz} answer the test flips, and a
 * gateway checking them every 20 ms. Covers eviction and recovery, failover between priority levels, panic mode,
 * the 503 when nothing is healthy, and health surviving a reload.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HealthRoutingTest extends NamedBackendsAndGateway {
    private static final String CHECK = """
                health_check:
                  http: { path: /healthz }
                  interval: 20ms
                  timeout: 500ms
                  healthy_threshold: 2
                  unhealthy_threshold: 2
            """;

    private void backends(int n) throws Exception {
        backends = new NamedBackends(n);
    }

    private void gateway(String cluster) throws Exception {
        gw = TestGateway.start(TestGateway.oneCluster("", cluster), backends.env());
    }

    /** Who served each of {@code n} requests ("503" for the gateway's refusal). */
    private Map<String, Integer> spread(int n) throws Exception {
        Map<String, Integer> out = new HashMap<>();
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = gw.get("/x");
            out.merge(r.statusCode() == 200 ? r.body() : String.valueOf(r.statusCode()), 1, Integer::sum);
        }
        return out;
    }

    private boolean healthy(int i) {
        return gw.gateway().clusters().get("api").endpoints().get(i).healthy();
    }

    @Test
    void unhealthyEndpointGetsNoTrafficUntilItRecovers() throws Exception {
        backends(3);
        gateway("""
                    endpoints: [ "${B0}", "${B1}", "${B2}" ]
                """ + CHECK);
        await().until(() -> backends.get(1).healthChecks() >= 2);
        assertThat(spread(30)).containsOnlyKeys("b0", "b1", "b2");

        backends.get(1).healthStatus(503);
        await().atMost(Duration.ofSeconds(5)).until(() -> !healthy(1));
        assertThat(spread(30)).containsOnlyKeys("b0", "b2");

        backends.get(1).healthStatus(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> healthy(1));
        assertThat(spread(30)).containsOnlyKeys("b0", "b1", "b2");
    }

    @Test
    void backupLevelTakesOverWhenThePrimaryLevelFails() throws Exception {
        backends(2);
        gateway("""
                    endpoints:
                      - { address: "${B0}", priority: 0 }
                      - { address: "${B1}", priority: 1 }
                """ + CHECK);
        await().until(() -> backends.get(0).healthChecks() >= 1 && backends.get(1).healthChecks() >= 1);
        assertThat(spread(10)).containsOnlyKeys("b0");

        backends.get(0).healthStatus(500);
        await().atMost(Duration.ofSeconds(5)).until(() -> !healthy(0));
        assertThat(spread(10)).containsOnlyKeys("b1");

        backends.get(0).healthStatus(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> healthy(0));
        assertThat(spread(10)).containsOnlyKeys("b0");
    }

    @Test
    void panicModeBalancesOverTheWholeLevelWhenTooFewAreHealthy() throws Exception {
        backends(3);
        backends.get(0).healthStatus(503);
        backends.get(1).healthStatus(503);
        gateway("""
                    endpoints: [ "${B0}", "${B1}", "${B2}" ]
                """ + CHECK);
        await().atMost(Duration.ofSeconds(5)).until(() -> !healthy(0) && !healthy(1));
        // One of three healthy is under the default 50%: rather than pile everything on b2, spread over all.
        assertThat(gw.gateway().clusters().get("api").panic()).isTrue();
        assertThat(spread(30)).containsOnlyKeys("b0", "b1", "b2");

        backends.get(1).healthStatus(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> healthy(1));
        assertThat(gw.gateway().clusters().get("api").panic()).isFalse();
        assertThat(spread(30)).containsOnlyKeys("b1", "b2");
    }

    @Test
    void withoutPanicModeAClusterWithNothingHealthyAnswers503() throws Exception {
        backends(1);
        backends.get(0).healthStatus(503);
        gateway("""
                    endpoints: [ "${B0}" ]
                    panic_threshold: 0
                """ + CHECK);
        await().atMost(Duration.ofSeconds(5)).until(() -> !healthy(0));
        HttpResponse<String> r = gw.get("/x");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("NO_HEALTHY_ENDPOINT");
        assertThat(backends.get(0).requests()).isZero();
    }

    @Test
    void tcpCheckEvictsAnEndpointThatStopsListening() throws Exception {
        backends(2);
        gateway("""
                    endpoints: [ "${B0}", "${B1}" ]
                    health_check: { tcp: {}, interval: 20ms, timeout: 500ms, unhealthy_threshold: 1 }
                """);
        backends.get(1).close();
        await().atMost(Duration.ofSeconds(5)).until(() -> !healthy(1));
        assertThat(spread(10)).containsOnlyKeys("b0");
    }

    @Test
    void reloadKeepsKnownHealth() throws Exception {
        backends(2);
        backends.get(1).healthStatus(503);
        String cluster = """
                    endpoints: [ "${B0}", "${B1}" ]
                    health_check:
                      http: { path: /healthz }
                      interval: 60s
                      timeout: 500ms
                """;
        gateway(cluster);
        await().atMost(Duration.ofSeconds(5)).until(() -> !healthy(1));

        // The next check is a minute away: only carried-over state can keep b1 out right after the reload.
        gw.gateway().reload(new ConfigLoader(backends.env()::get).parse(TestGateway.oneCluster("", cluster),
                "reloaded.yaml"));
        assertThat(healthy(1)).isFalse();
        assertThat(spread(10)).containsOnlyKeys("b0");
    }
}
