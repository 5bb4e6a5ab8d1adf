package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.RawClient;
import io.portcullis.testing.TestBackend;
import io.portcullis.testing.TestGateway;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A listener's connection limits: per client, new connections per second, requests per connection. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionLimitsTest {
    private TestBackend backend;
    private TestGateway gw;

    @AfterEach
    void close() {
        if (gw != null) {
            gw.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private void start(String connections) throws Exception {
        backend = new TestBackend("b");
        gw = TestGateway.start("""
                access_log: { enabled: false }
                server:
                  event_loops: ${LOOPS:-2}
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                    connections: %s
                routes:
                  - { name: all, match: { path_prefix: / }, cluster: api }
                clusters:
                  - name: api
                    endpoints: [ "${B}" ]
                """.formatted(connections), Map.of("B", backend.address()));
    }

    @Test
    void connectionsPastThePerClientLimitAreClosedAtOnceAndCounted() throws Exception {
        start("{ max_per_client: 2 }");
        List<RawClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                RawClient c = new RawClient(gw.port());
                open.add(c);
                c.send("GET /a HTTP/1.1\r\nHost: t\r\n\r\n");
                assertThat(new String(c.input().readNBytes(12))).isEqualTo("HTTP/1.1 200");
            }
            boolean closed;
            try (RawClient third = new RawClient(gw.port())) {
                closed = third.closedWithin(2_000);
            } catch (SocketException e) {
                closed = true; // the gateway's reset arrived before connect() returned: refused all the same
            }
            assertThat(closed).as("the third connection is closed").isTrue();
            assertThat(gw.gateway().metrics().scrape()).contains("portcullis_connections_refused_total{"
                    + "listener=\"public\",reason=\"too_many_from_client\"} 1.0");
        } finally {
            for (RawClient c : open) {
                c.close();
            }
        }
        // Closed connections give their places back (once the gateway has seen them close).
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).ignoreExceptions()
                .until(() -> RawClient.status(RawClient.exchange(gw.port(),
                        "GET /b HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")) == 200);
    }

    @Test
    void theLastRequestAConnectionMayServeIsAnsweredWithConnectionClose() throws Exception {
        start("{ max_requests: 3 }");
        try (RawClient c = new RawClient(gw.port())) {
            c.send("GET /1 HTTP/1.1\r\nHost: t\r\n\r\nGET /2 HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /3 HTTP/1.1\r\nHost: t\r\n\r\nGET /4 HTTP/1.1\r\nHost: t\r\n\r\n");
            String all = c.readUntilClose(5_000);
            assertThat(all.split("HTTP/1.1 200", -1)).hasSize(4); // three answers, then the connection closed
            assertThat(all).containsIgnoringCase("connection: close");
        }
        assertThat(backend.requestCount()).isEqualTo(3);
    }

    @Test
    void newConnectionsFromOneClientAreRateLimited() throws Exception {
        start("{ new_per_second: 2, new_burst: 3 }");
        int refused = 0;
        for (int i = 0; i < 10; i++) {
            try (RawClient c = new RawClient(gw.port())) {
                c.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
                String answer = c.readUntilClose(2_000);
                refused += answer.startsWith("HTTP/1.1 200") ? 0 : 1;
            } catch (java.io.IOException reset) {
                refused++; // closed with a reset (SO_LINGER 0), which a client may see as early as connect
            }
        }
        // A burst of 3 plus at most a couple refilled while the loop ran (2 per second).
        assertThat(refused).isBetween(4, 7);
    }
}
