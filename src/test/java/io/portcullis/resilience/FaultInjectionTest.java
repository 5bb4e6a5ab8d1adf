package io.portcullis.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.NamedBackends;
import io.portcullis.testing.NamedBackendsAndGateway;
import io.portcullis.testing.RawClient;
import io.portcullis.testing.TestGateway;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The fault filter end to end: aborts and delays on a header, and a share of requests. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultInjectionTest extends NamedBackendsAndGateway {
    private HttpResponse<String> send(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path)).timeout(Duration.ofSeconds(10))
                .method(body == null ? "GET" : "POST", body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return gw.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void abortsAndDelaysOnlyRequestsWithTheHeader() throws Exception {
        backends = new NamedBackends(1);
        gw = TestGateway.start(TestGateway.yaml("""
                  - name: abort
                    match: { path_prefix: /abort }
                    cluster: api
                    filters: [ { fault: { abort: 503, header: x-fault } } ]
                  - name: delay
                    match: { path_prefix: /delay }
                    cluster: api
                    filters: [ { fault: { delay: 300ms, header: x-fault } } ]
                """, """
                  - name: api
                    endpoints: [ "${B0}" ]
                """), backends.env());
        HttpResponse<String> aborted = send("/abort", null, "x-fault", "1");
        assertThat(aborted.statusCode()).isEqualTo(503);
        assertThat(aborted.body()).contains("\"error\":\"FAULT_INJECTED\"");
        assertThat(send("/abort", null).body()).isEqualTo("b0");
        assertThat(backends.get(0).requests()).isEqualTo(1);
        // An aborted request that asked to continue is answered without a 100 Continue: its body is never invited.
        String raw = RawClient.exchange(gw.port(), "POST /abort HTTP/1.1\r\nHost: t\r\nx-fault: 1\r\n"
                + "Content-Length: 5\r\nExpect: 100-continue\r\n\r\n", 5_000);
        assertThat(raw).startsWith("HTTP/1.1 503").doesNotContain("100 Continue");

        long start = System.nanoTime();
        HttpResponse<String> delayed = send("/delay", "a body that waits with the request", "x-fault", "1");
        long took = (System.nanoTime() - start) / 1_000_000;
        assertThat(delayed.body()).isEqualTo("b0");
        assertThat(took).isBetween(300L, 3000L);
        assertThat(backends.get(0).bodyBytes()).isEqualTo("a body that waits with the request".length());
    }

    @Test
    void abortsAShareOfRequests() throws Exception {
        backends = new NamedBackends(1);
        gw = TestGateway.start(TestGateway.oneCluster("""
                    filters: [ { fault: { abort: 500, abort_percent: 30 } } ]
                """, """
                    endpoints: [ "${B0}" ]
                """), backends.env());
        int aborted = 0;
        int n = 600;
        for (int i = 0; i < n; i++) {
            aborted += send("/x", null).statusCode() == 500 ? 1 : 0;
        }
        // Binomial(600, 0.3): sd ~11.2; 5 sd either side.
        assertThat(aborted).isBetween(124, 236);
        assertThat(backends.get(0).requests()).isEqualTo(n - aborted);
    }
}
