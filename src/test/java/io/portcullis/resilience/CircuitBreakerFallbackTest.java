package io.portcullis.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portcullis.testing.NamedBackends;
import io.portcullis.testing.NamedBackendsAndGateway;
import io.portcullis.testing.TestGateway;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Circuit breakers end to end: they open on 5xx, answer at once from the route's fallback (static, cached, another
 * cluster) or with 503 and Retry-After, and close by themselves once probes succeed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CircuitBreakerFallbackTest extends NamedBackendsAndGateway {
    private static final String BREAKER = "    circuit_breaker: { minimum_calls: 5, failure_rate: 50, window: 10s,"
            + " open_duration: 400ms, half_open_calls: 2 }\n";

    private void start(String routeExtra, String moreClusters) throws Exception {
        backends = new NamedBackends(2);
        gw = TestGateway.start(TestGateway.oneCluster(routeExtra, """
                    endpoints: [ "${B0}" ]
                """ + BREAKER + moreClusters), backends.env());
    }

    /** Sends failing requests until the breaker answers in its place; returns that answer. */
    private HttpResponse<String> tripBreaker(String path) throws Exception {
        backends.get(0).status(500);
        int failures = 0;
        HttpResponse<String> r;
        while ((r = gw.get(path)).statusCode() == 500 && r.headers().firstValue("x-backend").isPresent()) {
            failures++;
            assertThat(failures).as("the breaker opens within minimum_calls").isLessThanOrEqualTo(5);
        }
        assertThat(failures).isPositive();
        return r;
    }

    @Test
    void staticFallbackAnswersAtOnceWhileOpenAndTheBreakerClosesAfterRecovery() throws Exception {
        start("""
                    fallback:
                      static: { status: 200, headers: { content-type: application/json }, body: '{"items":[]}' }
                """, "");
        HttpResponse<String> fallback = tripBreaker("/items");
        assertThat(fallback.statusCode()).isEqualTo(200);
        assertThat(fallback.body()).isEqualTo("{\"items\":[]}");
        assertThat(fallback.headers().firstValue("x-portcullis-fallback")).hasValue("static");
        assertThat(fallback.headers().firstValue("content-type")).hasValue("application/json");
        int seen = backends.get(0).requests();
        long start = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            assertThat(gw.get("/items").headers().firstValue("x-portcullis-fallback")).hasValue("static");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(backends.get(0).requests()).as("no request reaches the backend while open").isEqualTo(seen);
        assertThat(gw.gateway().clusters().get("api").breaker().state()).isEqualTo(CircuitBreaker.State.OPEN);

        backends.get(0).status(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> gw.get("/items").body().equals("b0")
                && gw.gateway().clusters().get("api").breaker().state() == CircuitBreaker.State.CLOSED);
        assertThat(gw.gateway().metrics().scrape()).contains(
                "portcullis_circuit_breaker_transitions_total{breaker=\"cluster api\",to=\"open\"} 1",
                "portcullis_circuit_breaker_transitions_total{breaker=\"cluster api\",to=\"closed\"} 1",
                "portcullis_circuit_breaker_state{breaker=\"cluster api\"} 0");
    }

    @Test
    void cacheFallbackServesTheLastGoodResponseForTheSameGet() throws Exception {
        start("""
                    fallback:
                      cache: { ttl: 1m, vary: [ accept-language ] }
                """, "");
        assertThat(gw.get("/item?id=1").body()).isEqualTo("b0"); // cached while healthy
        HttpResponse<String> fallback = tripBreaker("/item?id=1");
        assertThat(fallback.statusCode()).isEqualTo(200);
        assertThat(fallback.body()).isEqualTo("b0");
        assertThat(fallback.headers().firstValue("x-portcullis-fallback")).hasValue("cache");
        assertThat(fallback.headers().firstValue("x-backend")).hasValue("b0");

        HttpResponse<String> uncached = gw.get("/item?id=2");
        assertThat(uncached.statusCode()).isEqualTo(503);
        assertThat(uncached.body()).contains("CIRCUIT_OPEN");
        assertThat(uncached.headers().firstValue("retry-after")).hasValue("1");
    }

    @Test
    void withoutFallbackAnOpenBreakerAnswers503WithRetryAfter() throws Exception {
        start("", "");
        HttpResponse<String> r = tripBreaker("/x");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("CIRCUIT_OPEN");
        assertThat(r.headers().firstValue("retry-after")).hasValue("1");
    }

    @Test
    void clusterFallbackSendsToAnotherCluster() throws Exception {
        start("""
                    fallback: { cluster: spare }
                """, """
                  - name: spare
                    endpoints: [ "${B1}" ]
                """);
        HttpResponse<String> r = tripBreaker("/x");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("b1");
    }

    @Test
    void aRouteMayHaveABreakerOfItsOwn() throws Exception {
        backends = new NamedBackends(1);
        gw = TestGateway.start(TestGateway.oneCluster("""
                    circuit_breaker: { minimum_calls: 5, failure_rate: 50, open_duration: 10s }
                    fallback: { static: { status: 200, body: fallback } }
                """, """
                    endpoints: [ "${B0}" ]
                """), backends.env());
        HttpResponse<String> r = tripBreaker("/x");
        assertThat(r.body()).isEqualTo("fallback");
        assertThat(gw.gateway().metrics().scrape()).contains("portcullis_circuit_breaker_state{breaker=\"route all\"} 1");
    }
}
