package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portcullis.config.ConfigLoader;
import io.portcullis.config.GatewayConfig;
import io.portcullis.testing.RawClient;
import io.portcullis.testing.TestBackend;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A reload publishes a new snapshot; a request in flight finishes on the one it started with. */
class ReloadTest {
    private static final String CONFIG = """
            access_log: { enabled: false }
            listeners:
              - name: public
                address: 127.0.0.1:${PORT}
            routes:
              - name: all
                match: { path_prefix: / }
                cluster: backend
            clusters:
              - name: backend
                endpoints: [ "${ORIGIN}" ]
            """;

    private static GatewayConfig config(int port, TestBackend origin) throws Exception {
        Map<String, String> env = Map.of("PORT", Integer.toString(port), "ORIGIN", origin.address());
        return new ConfigLoader(env::get).parse(CONFIG, "reload.yaml");
    }

    @Test
    void inFlightRequestFinishesOnItsSnapshotWhileNewRequestsUseTheNewOne() throws Exception {
        try (TestBackend blue = new TestBackend("blue"); TestBackend green = new TestBackend("green");
                Gateway gateway = Gateway.start(config(0, blue))) {
            int port = gateway.port("public");
            CompletableFuture<String> inFlight = CompletableFuture.supplyAsync(() -> {
                try {
                    return RawClient.exchange(port, "GET /delay?ms=700 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> blue.requestCount() == 1);

            gateway.reload(config(port, green));

            String after = RawClient.exchange(port, "GET /after HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            assertThat(after).contains("x-backend: green").contains("green GET /after");
            String before = inFlight.get(5, TimeUnit.SECONDS);
            assertThat(before).startsWith("HTTP/1.1 200").contains("delayed 700");
            assertThat(blue.requestCount()).isEqualTo(1);
            assertThat(green.requestCount()).isEqualTo(1);
        }
    }
}
