package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portcullis.testing.Refusals;
import io.portcullis.testing.Refusals.Reply;
import io.portcullis.testing.TestBackend;
import io.portcullis.testing.TestGateway;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * End-to-end, over real sockets: the listener's size limits (request line, one field, header section, body) and a
 * route's own body limit, configured small through YAML. Each refusal is checked for its status, its JSON reason, a
 * closed connection, and a backend that saw nothing; each limit also has a just-inside control that is proxied, so
 * the test proves the configured limit (not a default) is the one enforced.
 */
class LimitsTest {
    private static final int MAX_REQUEST_LINE = 256;
    private static final int MAX_HEADER_SIZE = 1024;
    private static final int MAX_HEADER_FIELD = 200;
    private static final int MAX_BODY = 100;
    private static final int TINY_ROUTE_BODY = 10;
    private static final int BIG_ROUTE_BODY = 4096;

    private static final String YAML = """
            access_log:
              enabled: false
            server:
              event_loops: 1
            listeners:
              - name: public
                address: 127.0.0.1:0
                limits:
                  max_request_line: %d
                  max_header_size: %d
                  max_header_field: %d
                  max_body_size: %d
            routes:
              - name: tiny
                match:
                  path_prefix: /tiny
                cluster: backend
                max_body_size: %d
              - name: big
                match:
                  path_prefix: /big
                cluster: backend
                max_body_size: 4KiB
              - name: all
                match:
                  path_prefix: /
                cluster: backend
                timeout: 2s
            clusters:
              - name: backend
                endpoints:
                  - ${ORIGIN}
            """.formatted(MAX_REQUEST_LINE, MAX_HEADER_SIZE, MAX_HEADER_FIELD, MAX_BODY, TINY_ROUTE_BODY);


    TestBackend backend;
    TestGateway gw;

    @BeforeEach
    void start() throws Exception {
        backend = new TestBackend();
        gw = TestGateway.start(YAML, Map.of("ORIGIN", backend.address()));
    }

    @AfterEach
    void stop() {
        gw.close();
        backend.close();
    }

    // ------------------------------------------------------------------------------------ request line: 414

    @Test
    void requestLineOverTheLimitIs414() throws IOException {
        String raw = "GET /" + "a".repeat(MAX_REQUEST_LINE) + " HTTP/1.1\r\nHost: x\r\n\r\n";
        Reply reply = exchange(raw);

        assertRefused(reply, 414, "REQUEST_LINE_TOO_LONG");
        assertBackendUntouched();
    }

    @Test
    void requestLineJustInsideTheLimitIsProxied() throws IOException {
        String target = "/" + "a".repeat(MAX_REQUEST_LINE - "GET  HTTP/1.1".length() - 1 - 8);
        Reply reply = exchange("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        assertThat(backend.lastRequest().uri()).isEqualTo(target);
    }

    // ------------------------------------------------------------------------------------ header field: 431

    @Test
    void oneHeaderFieldOverTheLimitIs431() throws IOException {
        String field = "X-Long: " + "v".repeat(MAX_HEADER_FIELD);
        Reply reply = exchange("GET / HTTP/1.1\r\nHost: x\r\n" + field + "\r\n\r\n");

        assertRefused(reply, 431, "HEADERS_TOO_LARGE");
        assertBackendUntouched();
    }

    @Test
    void longFieldNameCountsToo() throws IOException {
        String field = "X-" + "n".repeat(MAX_HEADER_FIELD) + ": v";
        Reply reply = exchange("GET / HTTP/1.1\r\nHost: x\r\n" + field + "\r\n\r\n");

        assertRefused(reply, 431, "HEADERS_TOO_LARGE");
        assertBackendUntouched();
    }

    @Test
    void headerFieldJustInsideTheLimitIsProxied() throws IOException {
        String value = "v".repeat(MAX_HEADER_FIELD - "X-Long: ".length() - 10);
        Reply reply = exchange("GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + value + "\r\nConnection: close\r\n\r\n");

        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        assertThat(backend.lastRequest().header("x-long")).isEqualTo(value);
    }

    // ---------------------------------------------------------------------------------- header section: 431

    @Test
    void headerSectionOverTheLimitIs431() throws IOException {
        StringBuilder head = new StringBuilder("GET / HTTP/1.1\r\nHost: x\r\n");
        // Every field is well under max_header_field; together they exceed max_header_size.
        String value = "v".repeat(MAX_HEADER_FIELD / 2);
        for (int i = 0; head.length() < MAX_HEADER_SIZE * 2; i++) {
            head.append("X-F").append(i).append(": ").append(value).append("\r\n");
        }
        Reply reply = exchange(head.append("\r\n").toString());

        assertRefused(reply, 431, "HEADERS_TOO_LARGE");
        assertBackendUntouched();
    }

    @Test
    void manyTinyFieldsOverTheSectionLimitAre431() throws IOException {
        StringBuilder head = new StringBuilder("GET / HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; head.length() < MAX_HEADER_SIZE * 2; i++) {
            head.append("A:").append(i % 10).append("\r\n");
        }
        Reply reply = exchange(head.append("\r\n").toString());

        assertRefused(reply, 431, "HEADERS_TOO_LARGE");
        assertBackendUntouched();
    }

    // ----------------------------------------------------------------------------- Content-Length body: 413

    /** The head alone must be enough: the gateway refuses before reading (or waiting for) any of the body. */
    @Test
    void contentLengthOverTheListenerLimitIs413BeforeTheBodyIsSent() throws IOException {
        Reply reply = exchange("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + (MAX_BODY + 1) + "\r\n\r\n");

        assertRefused(reply, 413, "BODY_TOO_LARGE");
        assertBackendUntouched();
    }

    @Test
    void contentLengthOverTheListenerLimitIs413WithTheBodySent() throws IOException {
        Reply reply = exchange("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + (MAX_BODY + 1) + "\r\n\r\n"
                + "b".repeat(MAX_BODY + 1));

        assertRefused(reply, 413, "BODY_TOO_LARGE");
        assertBackendUntouched();
    }

    @Test
    void expectContinueWithAnOversizedBodyGets413AndNo100() throws IOException {
        Reply reply = exchange("POST /upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: "
                + 1_000_000 + "\r\n\r\n");

        assertRefused(reply, 413, "BODY_TOO_LARGE");
        assertThat(reply.raw()).doesNotContain("100 Continue");
        assertBackendUntouched();
    }

    @Test
    void hugeContentLengthIs413() throws IOException {
        Reply reply = exchange("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999999999\r\n\r\n");

        assertRefused(reply, 413, "BODY_TOO_LARGE");
        assertBackendUntouched();
    }

    // ------------------------------------------------------------------------------------ chunked body: 413

    /**
     * A chunked upload has no length up front, so the gateway may have streamed part of it upstream before the
     * limit trips. What the client sees must still be a 413 and a closed connection, and the backend must never
     * receive a complete request (it only records a request at its end).
     */
    @ParameterizedTest(name = "{0} with {1}-byte chunks")
    @CsvSource({"/tiny/upload, 8, 3", "/upload, 40, 4"})
    void chunkedBodyOverTheLimitIs413(String path, int chunkSize, int chunks) throws IOException {
        StringBuilder raw = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: x\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n");
        for (int i = 0; i < chunks; i++) {
            raw.append(Integer.toHexString(chunkSize)).append("\r\n").append("c".repeat(chunkSize)).append("\r\n");
        }
        raw.append("0\r\n\r\n");
        Reply reply = exchange(raw.toString());

        assertRefused(reply, 413, "BODY_TOO_LARGE");
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThat(backend.requestCount()).as("complete requests the backend received: %s",
                        backend.requests()).isZero());
    }

    /**
     * Trailer fields are field lines too (RFC 9110 §6.5): the per-field and per-section limits that protect the
     * head must protect the trailer section, with the same 431, and nothing complete may reach the backend.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"one trailer field over max_header_field, 1", "trailer section over max_header_size, 12"})
    void trailersOverTheHeaderLimitsAre431(String name, int fields) throws IOException {
        String value = "t".repeat(fields == 1 ? MAX_HEADER_FIELD + 10 : MAX_HEADER_FIELD / 2);
        StringBuilder raw = new StringBuilder("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n0\r\n");
        for (int i = 0; i < fields; i++) {
            raw.append("X-T").append(i).append(": ").append(value).append("\r\n");
        }
        Reply reply = exchange(raw.append("\r\n").toString());

        assertThat(reply.status()).as("status; the backend saw %s; response:%n%s", backend.requests(), reply.raw())
                .isEqualTo(431);
        assertRefused(reply, 431, "HEADERS_TOO_LARGE");
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThat(backend.requests()).as("complete requests at the backend").isEmpty());
    }

    /** The chunked limit counts body bytes, so a body of exactly the limit passes. */
    @Test
    void chunkedBodyAtTheRouteLimitIsProxied() throws IOException {
        String raw = "POST /tiny/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n";
        Reply reply = exchange(raw);

        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        assertThat(backend.lastRequest().bodyBytes()).isEqualTo(TINY_ROUTE_BODY);
    }

    // ------------------------------------------------------------------------------ per-route max_body_size

    @ParameterizedTest(name = "{0} with Content-Length {1} -> {2}")
    @CsvSource({
        "/tiny/upload, 10,   200", // route limit 10: at the limit
        "/tiny/upload, 11,   413", // route limit 10 is stricter than the listener's 100
        "/big/upload,  2048, 200", // route limit 4KiB is looser than the listener's 100
        "/big/upload,  4097, 413", // ... but still a limit
        "/other,       100,  200", // no route limit: the listener default applies
        "/other,       101,  413"})
    void routeLimitOverridesTheListenerDefault(String path, int length, int expected) throws IOException {
        Reply reply = exchange("POST " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: "
                + length + "\r\n\r\n" + "b".repeat(length));

        if (expected == 413) {
            assertRefused(reply, 413, "BODY_TOO_LARGE");
            assertBackendUntouched();
        } else {
            assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
            assertThat(reply.raw()).contains("body=" + length);
            assertThat(backend.lastRequest().bodyBytes()).isEqualTo(length);
        }
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private Reply exchange(String raw) throws IOException {
        return Refusals.exchange(gw.port(), raw);
    }

    private static void assertRefused(Reply reply, int status, String reason) {
        Refusals.assertRefused(reply, "", List.of(status), List.of(reason));
    }

    private void assertBackendUntouched() {
        Refusals.assertBackendUntouched(backend);
    }
}
