package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Timeouts, retries, bulkheads, failover, outlier detection, breakers and fallbacks: binding and mistakes. */
class ResilienceConfigLoadingTest {
    private final ConfigLoader loader = new ConfigLoader(name -> null);

    private static String yaml(String route, String cluster) {
        return """
                listeners: [ { name: public, address: "127.0.0.1:0" } ]
                routes:
                  - name: all
                    match: { path_prefix: / }
                    cluster: api
                """ + route + """
                clusters:
                  - name: api
                    endpoints: [ "127.0.0.1:9000" ]
                """ + cluster + """
                  - name: spare
                    endpoints: [ "127.0.0.1:9001" ]
                """;
    }

    private List<String> errors(String yaml) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.parse(yaml, "r.yaml"));
        assertThat(e).as("expected the configuration to be rejected").isNotNull();
        return e.errors().stream().map(ConfigError::toString).toList();
    }

    @Test
    void bindsEveryField() throws Exception {
        GatewayConfig config = loader.parse(yaml("""
                    timeout: 2s
                    total_timeout: 5s
                    connect_timeout: 300ms
                    idle_timeout: 4s
                    retry: { max_retries: 1, on: [ reset ], statuses: [ 503 ] }
                    circuit_breaker: { minimum_calls: 10, open_duration: 5s }
                    fallback: { static: { status: 203, headers: { x-a: b }, body: hi } }
                """, """
                    timeouts: { per_try: 3s, total: 9s, idle: 7s }
                    retry:
                      max_retries: 3
                      backoff: { base: 10ms, max: 1s }
                      budget: { percent: 25, min_retries: 5 }
                      non_idempotent: true
                      max_body: 1MiB
                    limits: { max_requests: 100, max_pending: 10 }
                    failover: spare
                    outlier_detection: { consecutive_5xx: 7, base_ejection_time: 10s, max_ejection_percent: 30 }
                    circuit_breaker: { failure_rate: 40, window: 20s }
                """), "r.yaml");

        RouteConfig route = config.routes().get(0);
        assertThat(route.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(route.totalTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(route.connectTimeout()).isEqualTo(Duration.ofMillis(300));
        assertThat(route.idleTimeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(route.retry().maxRetries()).isEqualTo(1);
        assertThat(route.retry().onReset()).isTrue();
        assertThat(route.retry().onConnectFailure()).isFalse();
        assertThat(route.retry().statuses()).containsExactly(503);
        assertThat(route.breaker().minimumCalls()).isEqualTo(10);
        assertThat(route.fallback().staticResponse())
                .isEqualTo(new RouteConfig.Fallback.StaticResponse(203, List.of(Map.entry("x-a", "b")), "hi"));

        ResilienceConfig r = config.clusters().get(0).resilience();
        assertThat(r.perTryTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(r.totalTimeout()).isEqualTo(Duration.ofSeconds(9));
        assertThat(r.idleTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(r.retry()).isEqualTo(new ResilienceConfig.Retry(3, true, true, true, List.of(502, 503, 504),
                Duration.ofMillis(10), Duration.ofSeconds(1), 25, 5, true, 1L << 20));
        assertThat(r.maxRequests()).isEqualTo(100);
        assertThat(r.maxPending()).isEqualTo(10);
        assertThat(r.failover()).isEqualTo("spare");
        assertThat(r.outlier().consecutive5xx()).isEqualTo(7);
        assertThat(r.outlier().baseEjectionTime()).isEqualTo(Duration.ofSeconds(10));
        assertThat(r.outlier().consecutiveGatewayFailures()).isEqualTo(5);
        assertThat(r.breaker().failureRate()).isEqualTo(40);
        assertThat(r.breaker().window()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.clusters().get(1).resilience()).isEqualTo(ResilienceConfig.DEFAULT);
    }

    @Test
    void refusesMistakesWithFileAndLine() {
        List<String> errors = errors(yaml("""
                    retry: { on: [ sometimes ], backoff: { base: 0 } }
                    fallback: { cluster: nowhere }
                """, """
                    failover: api
                    circuit_breaker: { open_duration: 0 }
                """));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("r.yaml:6:20: /routes/0/retry/on/0:"));
        assertThat(errors).anySatisfy(e -> assertThat(e)
                .isEqualTo("r.yaml:6:50: /routes/0/retry/backoff/base: must be greater than 0"));
        assertThat(errors).anySatisfy(e -> assertThat(e)
                .isEqualTo("r.yaml:7:26: /routes/0/fallback/cluster: unknown cluster 'nowhere'"));
        assertThat(errors).anySatisfy(e -> assertThat(e)
                .isEqualTo("r.yaml:11:15: /clusters/0/failover: a cluster cannot fail over to itself"));
        assertThat(errors).anySatisfy(e -> assertThat(e)
                .isEqualTo("r.yaml:12:39: /clusters/0/circuit_breaker/open_duration: must be greater than 0"));
    }

    @Test
    void aFallbackNeedsABreakerAndExactlyOneKind() {
        assertThat(errors(yaml("""
                    fallback: { static: { body: x } }
                """, ""))).containsExactly("r.yaml:6:15: /routes/0/fallback: a fallback needs a circuit_breaker on"
                + " the route or its cluster");
        assertThat(errors(yaml("""
                    circuit_breaker: {}
                    fallback: { static: { body: x }, cluster: spare }
                """, ""))).singleElement().asString().startsWith("r.yaml:7:15: /routes/0/fallback:");
    }
}
