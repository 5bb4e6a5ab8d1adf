package io.portcullis.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.NamedBackends;
import io.portcullis.testing.NamedBackendsAndGateway;
import io.portcullis.testing.TestGateway;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Retries end to end: what is retried (connect failures, resets, timeouts, statuses), for which methods, with the
 * body replayed, on another endpoint, within the total deadline and the cluster's retry budget.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RetryTest extends NamedBackendsAndGateway {
    private void gateway(int n, String cluster) throws Exception {
        backends = new NamedBackends(n);
        Map<String, String> env = new HashMap<>(backends.env());
        try (ServerSocket s = new ServerSocket(0)) {
            env.put("CLOSED", "127.0.0.1:" + s.getLocalPort()); // nothing listens here once closed
        }
        gw = TestGateway.start(TestGateway.oneCluster("", cluster), env);
    }

    private HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return gw.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private double retries() {
        return gw.gateway().metrics().registry().get("portcullis.upstream.retries").counter().count();
    }

    @Test
    void connectFailuresAreRetriedOnAnotherEndpoint() throws Exception {
        gateway(1, """
                    endpoints: [ "${CLOSED}", "${B0}" ]
                    retry: { max_retries: 2 }
                """);
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = send("GET", "/x", null);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("b0");
        }
        assertThat(retries()).isGreaterThanOrEqualTo(5);
    }

    @Test
    void retryableStatusesAreRetriedForIdempotentRequestsOnly() throws Exception {
        gateway(2, """
                    endpoints: [ "${B0}", "${B1}" ]
                    retry: { max_retries: 1, statuses: [ 503 ] }
                """);
        backends.get(0).status(503);
        for (int i = 0; i < 10; i++) {
            assertThat(send("GET", "/x", null).body()).isEqualTo("b1");
        }
        int postsTo503 = 0;
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> r = send("POST", "/x", "{}");
            postsTo503 += r.statusCode() == 503 ? 1 : 0;
        }
        assertThat(postsTo503).as("POST is not retried: round robin sends half to b0").isEqualTo(5);
        for (int i = 0; i < 10; i++) {
            assertThat(send("POST", "/x", "{}", "Idempotency-Key", "k" + i).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aReplayedBodyArrivesWholeAtTheNextEndpoint() throws Exception {
        gateway(2, """
                    endpoints: [ "${B0}", "${B1}" ]
                    retry: { max_retries: 1, statuses: [ 500 ], non_idempotent: true, max_body: 64KiB }
                """);
        backends.get(0).status(500);
        String body = "x".repeat(20_000);
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> r = send("POST", "/upload", body);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("b1");
        }
        // Every request takes two picks (b0, then the retry on b1), so round robin sends each first try to b0.
        assertThat(backends.get(0).bodyBytes()).isEqualTo(4L * body.length());
        assertThat(backends.get(1).bodyBytes()).isEqualTo(4L * body.length());
    }

    @Test
    void aBodyOverTheReplayLimitIsNotRetried() throws Exception {
        gateway(2, """
                    endpoints: [ "${B0}", "${B1}" ]
                    retry: { max_retries: 1, statuses: [ 500 ], non_idempotent: true, max_body: 1KiB }
                """);
        backends.get(0).status(500);
        int failed = 0;
        for (int i = 0; i < 4; i++) {
            failed += send("POST", "/upload", "y".repeat(4096)).statusCode() == 500 ? 1 : 0;
        }
        assertThat(failed).isEqualTo(2);
        assertThat(retries()).isZero();
    }

    @Test
    void aTryThatTimesOutIsRetriedElsewhere() throws Exception {
        gateway(2, """
                    endpoints: [ "${B0}", "${B1}" ]
                    timeouts: { per_try: 200ms }
                    retry: { max_retries: 1 }
                """);
        backends.get(0).delay(3000);
        for (int i = 0; i < 4; i++) {
            long start = System.nanoTime();
            HttpResponse<String> r = send("GET", "/x", null);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("b1");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2000));
        }
    }

    @Test
    void theTotalTimeoutBoundsEveryTry() throws Exception {
        gateway(2, """
                    endpoints: [ "${B0}", "${B1}" ]
                    timeouts: { per_try: 300ms, total: 500ms }
                    retry: { max_retries: 5 }
                """);
        backends.get(0).delay(3000);
        backends.get(1).delay(3000);
        long start = System.nanoTime();
        HttpResponse<String> r = send("GET", "/x", null);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(took).isBetween(Duration.ofMillis(450), Duration.ofMillis(1500));
        assertThat(backends.get(0).requests() + backends.get(1).requests()).isEqualTo(2);
    }

    @Test
    void anEmptyBudgetAllowsNoRetries() throws Exception {
        gateway(2, """
                    endpoints: [ "${B0}", "${B1}" ]
                    retry: { max_retries: 3, statuses: [ 503 ], budget: { percent: 0, min_retries: 0 } }
                """);
        backends.get(0).status(503);
        backends.get(1).status(503);
        for (int i = 0; i < 10; i++) {
            assertThat(send("GET", "/x", null).statusCode()).isEqualTo(503);
        }
        assertThat(backends.get(0).requests() + backends.get(1).requests()).isEqualTo(10);
    }

    @Test
    void withoutARetryPolicyNothingIsRetried() throws Exception {
        gateway(2, """
                    endpoints: [ "${B0}", "${B1}" ]
                """);
        backends.get(0).status(503);
        int failed = 0;
        for (int i = 0; i < 10; i++) {
            failed += send("GET", "/x", null).statusCode() == 503 ? 1 : 0;
        }
        assertThat(failed).isEqualTo(5);
    }
}
