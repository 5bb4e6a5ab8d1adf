package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portcullis.testing.GatewayProcess;
import io.portcullis.testing.RawClient;
import io.portcullis.testing.TestBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SIGTERM drains: in-flight requests finish, new connections are refused, the process exits 0. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShutdownIT {

    @Test
    void sigtermDrainsInFlightRequestsAndExitsZero() throws Exception {
        try (TestBackend backend = new TestBackend()) {
            Path config = Files.createTempFile("shutdown", ".yaml");
            Files.writeString(config, """
                    server:
                      drain_timeout: 10s
                    access_log: { enabled: true, path: stdout }
                    listeners:
                      - name: public
                        address: 127.0.0.1:0
                    routes:
                      - name: all
                        match: { path_prefix: / }
                        cluster: backend
                    clusters:
                      - name: backend
                        endpoints: [ "%s" ]
                    """.formatted(backend.address()));
            try (GatewayProcess gw = GatewayProcess.run(config)) {
                int port = gw.port();
                CompletableFuture<String> inFlight = CompletableFuture.supplyAsync(() -> {
                    try {
                        return RawClient.exchange(port, "GET /delay?ms=1500 HTTP/1.1\r\nHost: t\r\n\r\n", 10_000);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                await().atMost(Duration.ofSeconds(5)).until(() -> backend.requestCount() == 1);
                gw.terminate();
                // the in-flight request completes, with Connection: close, and the listener stops accepting
                String response = inFlight.get(10, TimeUnit.SECONDS);
                assertThat(response).startsWith("HTTP/1.1 200").contains("delayed 1500")
                        .containsIgnoringCase("connection: close");
                assertThat(gw.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
                assertThat(gw.process().exitValue()).isZero();
                assertThat(gw.accepts()).isFalse();
                assertThat(gw.output()).contains("\"path\":\"/delay\"").contains("\"status\":200");
            }
        }
    }
}
