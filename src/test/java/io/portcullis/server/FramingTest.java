package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.BackendAndGateway;
import io.portcullis.testing.RawClient;
import io.portcullis.testing.Wire;
import io.portcullis.testing.TestBackend;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * End-to-end message framing over real sockets (RFC 9112 §6, §9.3, RFC 9110 §10.1.1): interim 100 Continue,
 * bodiless responses, HTTP/1.0 clients, chunk extensions and trailers both ways, pipelining and absolute-form
 * targets. Every byte is written and read by hand so that framing mistakes cannot be hidden by a forgiving client.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FramingTest extends BackendAndGateway {
    @Test
    void expectContinueIsAnsweredByTheGatewayBeforeTheBodyIsSent() throws Exception {
        try (RawClient c = new RawClient(gw.port())) {
            Wire wire = new Wire(c.input());
            c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");

            // No body has been sent yet: an interim response must arrive on its own (the read times out if not).
            Wire.Response interim = wire.next(false);
            assertThat(interim.status()).isEqualTo(100);
            assertThat(interim.version()).isEqualTo("HTTP/1.1");
            assertThat(interim.body()).isEmpty();

            c.send("hello");
            Wire.Response last = wire.next(false);
            assertThat(last.status()).isEqualTo(200);
            assertThat(last.text()).isEqualTo("backend POST /upload body=5");
        }
        TestBackend.Recorded seen = backend.lastRequest();
        assertThat(seen.bodyBytes()).isEqualTo(5);
        assertThat(seen.all("expect")).isEmpty();
    }

    @Test
    void unknownExpectationIsRefusedWith417() throws Exception {
        String raw = RawClient.exchange(gw.port(),
                "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: something-else\r\n\r\n");
        Wire.Response r = Wire.parse(raw, false).get(0);
        assertThat(r.status()).isEqualTo(417);
        assertThat(r.text()).contains("\"error\":\"EXPECTATION_FAILED\"");
        assertThat(backend.requestCount()).isZero();
    }

    @Test
    void headResponseKeepsContentLengthButHasNoBodyAndTheConnectionStaysUsable() throws Exception {
        try (RawClient c = new RawClient(gw.port())) {
            Wire wire = new Wire(c.input());
            c.send("HEAD /bytes?n=1234 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /after-head HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            Wire.Response head = wire.next(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo("1234");
            assertThat(head.all("transfer-encoding")).isEmpty();

            // Any body bytes after the HEAD response would be read here as the next status line.
            Wire.Response get = wire.next(false);
            assertThat(get.status()).isEqualTo(200);
            assertThat(get.text()).isEqualTo("backend GET /after-head body=0");
            assertThat(wire.rest()).isEmpty();
        }
    }

    @Test
    void headResponseForAChunkedBackendHasNoLastChunkAndTheConnectionStaysUsable() throws Exception {
        try (RawClient c = new RawClient(gw.port())) {
            Wire wire = new Wire(c.input());
            c.send("HEAD /bytes?n=1234&chunked=1 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /after-head HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            Wire.Response head = wire.next(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.all("content-length")).isEmpty();
            // Same fields as a GET would get (RFC 9110 §9.3.2); ProxyResponseEncoder promises to keep them.
            assertThat(head.all("transfer-encoding")).containsExactly("chunked");

            // A "0\r\n\r\n" after the HEAD response would be read here as the next status line.
            Wire.Response get = wire.next(false);
            assertThat(get.status()).isEqualTo(200);
            assertThat(get.text()).isEqualTo("backend GET /after-head body=0");
            assertThat(wire.rest()).isEmpty();
        }
    }

    @Test
    void noContentAndNotModifiedAreRelayedWithoutBody() throws Exception {
        try (RawClient c = new RawClient(gw.port())) {
            Wire wire = new Wire(c.input());
            c.send("GET /status/204 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /status/304 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            Wire.Response noContent = wire.next(false);
            assertThat(noContent.status()).isEqualTo(204);
            assertThat(noContent.all("transfer-encoding")).isEmpty();
            assertThat(noContent.all("content-length")).isEmpty();

            Wire.Response notModified = wire.next(false);
            assertThat(notModified.status()).isEqualTo(304);
            assertThat(notModified.all("transfer-encoding")).isEmpty();

            Wire.Response after = wire.next(false);
            assertThat(after.status()).isEqualTo(200);
            assertThat(after.text()).isEqualTo("backend GET /after body=0");
            assertThat(wire.rest()).isEmpty();
        }
    }

    @Test
    void http10ClientGetsAChunkedBackendBodyCloseDelimitedAndComplete() throws Exception {
        try (RawClient c = new RawClient(gw.port())) {
            Wire wire = new Wire(c.input());
            c.send("GET /bytes?n=100000&chunked=1 HTTP/1.0\r\nHost: x\r\n\r\n");
            Wire.Response r = wire.next(false);
            assertThat(r.version()).isEqualTo("HTTP/1.0");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.all("transfer-encoding")).isEmpty();
            assertThat(r.framing()).isEqualTo(Wire.Framing.CLOSE);
            assertThat(r.complete()).isTrue();
            assertThat(r.body()).hasSize(100_000);
        }
    }

    @Test
    void http10KeepAliveWithContentLengthStaysOpen() throws Exception {
        try (RawClient c = new RawClient(gw.port())) {
            Wire wire = new Wire(c.input());
            c.send("GET /one HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n");
            Wire.Response one = wire.next(false);
            assertThat(one.version()).isEqualTo("HTTP/1.0");
            assertThat(one.status()).isEqualTo(200);
            assertThat(one.framing()).isEqualTo(Wire.Framing.LENGTH);
            assertThat(one.header("connection")).isEqualToIgnoringCase("keep-alive");
            assertThat(one.text()).isEqualTo("backend GET /one body=0");

            c.send("GET /two HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n");
            Wire.Response two = wire.next(false);
            assertThat(two.version()).isEqualTo("HTTP/1.0");
            assertThat(two.text()).isEqualTo("backend GET /two body=0");

            // Without keep-alive an HTTP/1.0 exchange is the last one on the connection.
            c.send("GET /three HTTP/1.0\r\nHost: x\r\n\r\n");
            Wire.Response three = wire.next(false);
            assertThat(three.text()).isEqualTo("backend GET /three body=0");
            assertThat(wire.rest()).isEmpty();
        }
        assertThat(backend.requestCount()).isEqualTo(3);
    }

    @Test
    void chunkedUploadWithExtensionsAndTrailersReachesTheBackend() throws Exception {
        String raw = RawClient.exchange(gw.port(), "POST /upload HTTP/1.1\r\nHost: x\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "5;ext=1\r\nhello\r\n"
                + "6;name=\"quoted value\"\r\n world\r\n"
                + "0\r\nX-Checksum: abc\r\n\r\n");
        Wire.Response r = Wire.parse(raw, false).get(0);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("backend POST /upload body=11");

        TestBackend.Recorded seen = backend.lastRequest();
        assertThat(seen.bodyBytes()).isEqualTo(11);
        assertThat(seen.trailers()).anySatisfy(t -> {
            assertThat(t.getKey()).isEqualToIgnoringCase("x-checksum");
            assertThat(t.getValue()).isEqualTo("abc");
        });
    }

    @Test
    void chunkedResponseTrailersReachAnHttp11Client() throws Exception {
        String raw = RawClient.exchange(gw.port(), "GET /trailers HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Wire.Response r = Wire.parse(raw, false).get(0);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.framing()).isEqualTo(Wire.Framing.CHUNKED);
        assertThat(r.complete()).isTrue();
        assertThat(r.text()).isEqualTo("part1part2");
        assertThat(r.trailers()).containsExactly(Map.entry("x-checksum", "abc123"));
    }

    @Test
    void pipelinedRequestsAreAnsweredStrictlyInRequestOrder() throws Exception {
        int[] delays = {300, 10, 200, 1, 50};
        StringBuilder pipeline = new StringBuilder();
        for (int i = 0; i < delays.length; i++) {
            pipeline.append("GET /delay?ms=").append(delays[i]).append(" HTTP/1.1\r\nHost: x\r\n")
                    .append(i == delays.length - 1 ? "Connection: close\r\n" : "").append("\r\n");
        }
        try (RawClient c = new RawClient(gw.port())) {
            Wire wire = new Wire(c.input());
            c.send(pipeline.toString()); // one write: the gateway sees all five heads at once
            for (int delay : delays) {
                Wire.Response r = wire.next(false);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.text()).isEqualTo("delayed " + delay);
            }
            assertThat(wire.rest()).isEmpty();
        }
    }

    @Test
    void absoluteFormTargetIsSentUpstreamInOriginFormWithItsAuthorityAsHost() throws Exception {
        String raw = RawClient.exchange(gw.port(),
                "GET http://example.com/x HTTP/1.1\r\nHost: other.test\r\nConnection: close\r\n\r\n");
        Wire.Response r = Wire.parse(raw, false).get(0);
        assertThat(r.status()).isEqualTo(200);
        TestBackend.Recorded seen = backend.lastRequest();
        assertThat(seen.uri()).isEqualTo("/x");
        assertThat(seen.all("host")).containsExactly("example.com");
    }

}
