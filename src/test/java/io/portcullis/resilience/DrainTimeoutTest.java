package io.portcullis.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portcullis.testing.NamedBackends;
import io.portcullis.testing.RawClient;
import io.portcullis.testing.TestGateway;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** On shutdown, a route's drain timeout bounds its requests in flight; others have the server's. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DrainTimeoutTest {

    @Test
    void aRoutesDrainTimeoutCutsItsRequestsWhileOthersFinish() throws Exception {
        try (NamedBackends backends = new NamedBackends(1)) {
            backends.get(0).delay(1500);
            TestGateway gw = TestGateway.start(TestGateway.yaml("""
                      - name: quick
                        match: { path_prefix: /quick }
                        cluster: api
                        drain_timeout: 200ms
                      - name: patient
                        match: { path_prefix: /patient }
                        cluster: api
                    """, """
                      - name: api
                        endpoints: [ "${B0}" ]
                    """), backends.env());
            // Own threads: the common pool may have a single one on a small machine, and both tasks block.
            java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                CompletableFuture<String> quick = CompletableFuture.supplyAsync(() -> {
                    try {
                        return RawClient.exchange(gw.port(), "GET /quick HTTP/1.1\r\nHost: t\r\n\r\n", 10_000);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, threads);
                CompletableFuture<HttpResponse<String>> patient = send(gw, "/patient");
                await().atMost(Duration.ofSeconds(5)).until(() -> backends.get(0).requests() == 2);

                long start = System.nanoTime();
                CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> {
                    try {
                        return gw.gateway().drain(Duration.ofSeconds(10));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }, threads);
                String cut = quick.get(5, TimeUnit.SECONDS);
                long cutMillis = (System.nanoTime() - start) / 1_000_000;
                assertThat(cut).startsWith("HTTP/1.1 503").contains("SHUTTING_DOWN");
                assertThat(cutMillis).isBetween(150L, 1200L);

                HttpResponse<String> finished = patient.get(10, TimeUnit.SECONDS);
                assertThat(finished.statusCode()).isEqualTo(200);
                assertThat(finished.body()).isEqualTo("b0");
                assertThat(drained.get(10, TimeUnit.SECONDS)).isTrue();
            } finally {
                gw.close();
                threads.shutdownNow();
            }
        }
    }

    private static CompletableFuture<HttpResponse<String>> send(TestGateway gw, String path) {
        return gw.client().sendAsync(HttpRequest.newBuilder(gw.uri(path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
