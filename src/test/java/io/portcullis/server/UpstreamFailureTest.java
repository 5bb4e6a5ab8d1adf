package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.testing.Wire;
import io.portcullis.testing.RawBackend;
import io.portcullis.testing.RawClient;
import io.portcullis.testing.TestBackend;
import io.portcullis.testing.TestGateway;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Backend failures seen from a real client: before the response starts they become a JSON 502/504 with a typed
 * reason; after it starts the client connection is aborted, so a truncated body can never look complete.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UpstreamFailureTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GET = "GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

    /** One catch-all route to one endpoint, with the given route timeout. */
    private static TestGateway gateway(String endpoint, String timeout) throws Exception {
        return TestGateway.start("""
                access_log:
                  enabled: false
                server:
                  event_loops: ${LOOPS:-2}
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                routes:
                  - name: all
                    match:
                      path_prefix: /
                    cluster: backend
                    timeout: ${TIMEOUT}
                clusters:
                  - name: backend
                    endpoints:
                      - ${ORIGIN}
                """, Map.of("ORIGIN", endpoint, "TIMEOUT", timeout));
    }

    /**
     * Sends one request and reads one response framed by its own headers, without waiting for the connection to
     * close: whether it closes is a separate test.
     */
    private static Wire.Response exchange(int port, String request) throws Exception {
        try (RawClient c = new RawClient(port)) {
            c.send(request);
            Wire.Response r = new Wire(c.input()).next(false);
            assertThat(r).as("a response").isNotNull();
            return r;
        }
    }

    /** Asserts the gateway's own error body and returns it. */
    private static JsonNode assertErrorBody(Wire.Response r, int status, String error) throws Exception {
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.header("content-type")).startsWith("application/json");
        JsonNode body = JSON.readTree(r.text());
        assertThat(body.path("status").isInt()).isTrue();
        assertThat(body.path("status").intValue()).isEqualTo(status);
        assertThat(body.path("error").textValue()).isEqualTo(error);
        assertThat(body.path("request_id").textValue()).isNotBlank().isEqualTo(r.header("x-request-id"));
        return body;
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    @Test
    void connectionRefusedIsA502Fast() throws Exception {
        // A bound socket that never listens: the port stays ours (no race) and every SYN to it is refused.
        try (Socket notListening = new Socket()) {
            notListening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (TestGateway gw = gateway("127.0.0.1:" + notListening.getLocalPort(), "2s");
                    RawClient c = new RawClient(gw.port())) {
                long start = System.nanoTime();
                c.send(GET);
                Wire.Response r = new Wire(c.input()).next(false); // framed by Content-Length: no wait for close
                long elapsed = millisSince(start);
                assertErrorBody(r, 502, "UPSTREAM_CONNECT_FAILED");
                assertThat(elapsed).isLessThan(500);
            }
        }
    }

    @Test
    void gatewayErrorForAProxiedRequestHonoursTheClientsConnectionClose() throws Exception {
        try (Socket notListening = new Socket()) {
            notListening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (TestGateway gw = gateway("127.0.0.1:" + notListening.getLocalPort(), "2s");
                    RawClient c = new RawClient(gw.port())) {
                c.send(GET); // carries Connection: close
                Wire.Response r = new Wire(c.input()).next(false);
                assertErrorBody(r, 502, "UPSTREAM_CONNECT_FAILED");
                assertThat(r.header("connection")).isEqualToIgnoringCase("close");
                assertThat(c.closedWithin(1000)).as("connection closed after the error response").isTrue();
            }
        }
    }

    @Test
    void gatewayErrorForAHeadRequestHasNoBodyAndTheConnectionStaysUsable() throws Exception {
        try (Socket notListening = new Socket()) {
            notListening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (TestGateway gw = gateway("127.0.0.1:" + notListening.getLocalPort(), "2s");
                    RawClient c = new RawClient(gw.port())) {
                Wire wire = new Wire(c.input());
                c.send("HEAD /x HTTP/1.1\r\nHost: x\r\n\r\nGET /y HTTP/1.1\r\nHost: x\r\n\r\n");
                Wire.Response head = wire.next(true);
                assertThat(head.status()).isEqualTo(502);
                assertThat(head.header("content-length")).isNotNull();
                // Body bytes after the HEAD answer would be read here as the next status line.
                Wire.Response get = wire.next(false);
                assertErrorBody(get, 502, "UPSTREAM_CONNECT_FAILED");
            }
        }
    }

    @Test
    void errorBodyCarriesTheClientsRequestId() throws Exception {
        try (Socket notListening = new Socket()) {
            notListening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (TestGateway gw = gateway("127.0.0.1:" + notListening.getLocalPort(), "2s")) {
                Wire.Response r = exchange(gw.port(),
                        "GET /x HTTP/1.1\r\nHost: x\r\nX-Request-Id: trace-42\r\nConnection: close\r\n\r\n");
                JsonNode body = assertErrorBody(r, 502, "UPSTREAM_CONNECT_FAILED");
                assertThat(body.path("request_id").textValue()).isEqualTo("trace-42");
                assertThat(body.size()).isEqualTo(3);
                assertThat(r.header("content-length")).isEqualTo(String.valueOf(r.body().length));
            }
        }
    }

    @Test
    void hangingBackendIsA504AfterTheRouteTimeout() throws Exception {
        try (TestBackend backend = new TestBackend(); TestGateway gw = gateway(backend.address(), "500ms");
                RawClient c = new RawClient(gw.port())) {
            long start = System.nanoTime();
            c.send("GET /hang HTTP/1.1\r\nHost: x\r\n\r\n");
            Wire.Response r = new Wire(c.input()).next(false);
            long elapsed = millisSince(start);
            assertErrorBody(r, 504, "UPSTREAM_TIMEOUT");
            assertThat(elapsed).isBetween(450L, 1500L);
        }
    }

    @Test
    void nonNumericStatusCodeIsA502() throws Exception {
        assertRawBackendGives502("HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n");
    }

    @Test
    void garbageInsteadOfAStatusLineIsA502() throws Exception {
        assertRawBackendGives502("garbage\r\n\r\n");
    }

    @Test
    void contentLengthWithTransferEncodingFromBackendIsA502() throws Exception {
        assertRawBackendGives502("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n");
    }

    @Test
    void twoDifferentContentLengthsFromBackendIsA502() throws Exception {
        assertRawBackendGives502("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!");
    }

    private static void assertRawBackendGives502(String response) throws Exception {
        try (RawBackend raw = new RawBackend(response, false); TestGateway gw = gateway(raw.address(), "2s")) {
            Wire.Response r = exchange(gw.port(), GET);
            assertErrorBody(r, 502, "UPSTREAM_PROTOCOL_ERROR");
            assertThat(raw.requestCount()).isEqualTo(1);
        }
    }

    @Test
    void backendDyingMidBodyAbortsTheClientConnection() throws Exception {
        try (TestBackend backend = new TestBackend(); TestGateway gw = gateway(backend.address(), "2s");
                RawClient c = new RawClient(gw.port())) {
            // Keep-alive on purpose: only an abort, not a normal end of response, may close this connection.
            c.send("GET /die?after=1000 HTTP/1.1\r\nHost: x\r\n\r\n");
            Wire.Response r = new Wire(c.input()).next(false); // reads until EOF; a read timeout would throw
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("content-length")).isEqualTo(String.valueOf(1 << 20));
            assertThat(r.complete()).isFalse();
            assertThat(r.body().length).isLessThan(1 << 20);
        }
    }

    @Test
    void chunkedBackendDyingMidBodyNeverSendsTheLastChunk() throws Exception {
        try (RawBackend raw = new RawBackend(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", true);
                TestGateway gw = gateway(raw.address(), "2s");
                RawClient c = new RawClient(gw.port())) {
            c.send("GET /x HTTP/1.1\r\nHost: x\r\n\r\n");
            byte[] all = new Wire(c.input()).rest(); // until EOF; a read timeout would throw
            String text = new String(all, StandardCharsets.ISO_8859_1);
            assertThat(text).startsWith("HTTP/1.1 200 ");
            int bodyStart = text.indexOf("\r\n\r\n") + 4;
            assertThat(bodyStart).isGreaterThan(3);
            assertThat(text.substring(0, bodyStart).toLowerCase()).contains("transfer-encoding: chunked");
            assertThat(text.substring(bodyStart)).doesNotContain("0\r\n\r\n");

            Wire.Response r = Wire.parse(text, false).get(0);
            assertThat(r.complete()).isFalse();
        }
    }
}
