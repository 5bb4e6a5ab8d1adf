package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.Wire;
import io.portcullis.testing.RawBackend;
import io.portcullis.testing.BackendAndGateway;
import io.portcullis.testing.RawClient;
import io.portcullis.testing.TestBackend;
import io.portcullis.testing.TestGateway;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Header rewriting end to end (RFC 9110 §7.6): hop-by-hop fields stop at the gateway in both directions, the
 * gateway's own fields ({@code X-Forwarded-*}, {@code Via}, {@code X-Request-Id}) survive anything a peer says,
 * and every other field keeps its order and its duplicates.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HeadersTest extends BackendAndGateway {
    private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";


    private Wire.Response send(int port, String rawRequest) throws Exception {
        List<Wire.Response> responses = Wire.parse(RawClient.exchange(port, rawRequest), false);
        assertThat(responses).hasSize(1);
        return responses.get(0);
    }

    private Wire.Response get(String extraHeaders) throws Exception {
        return send(gw.port(), "GET /h HTTP/1.1\r\nHost: api.example.com\r\n" + extraHeaders
                + "Connection: close\r\n\r\n");
    }

    @Test
    void requestHopByHopFieldsNeverReachTheBackend() throws Exception {
        Wire.Response r = send(gw.port(), "GET /h HTTP/1.1\r\nHost: x\r\n"
                + "Connection: close, X-Secret\r\n"
                + "X-Secret: 1\r\n"
                + "Keep-Alive: timeout=5\r\n"
                + "TE: gzip, trailers\r\n"
                + "Upgrade: websocket\r\n"
                + "Proxy-Connection: keep-alive\r\n"
                + "X-Visible: yes\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        TestBackend.Recorded seen = backend.lastRequest();
        for (String name : List.of("connection", "x-secret", "keep-alive", "te", "upgrade", "proxy-connection")) {
            assertThat(seen.all(name)).as(name).isEmpty();
        }
        assertThat(seen.all("x-visible")).containsExactly("yes");
    }

    @Test
    void teTrailersAloneIsForwardedAsTheOneTeAnHttp2HopMayCarry() throws Exception {
        Wire.Response r = get("TE: trailers\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(backend.lastRequest().all("te")).containsExactly("trailers");
    }

    @Test
    void responseHopByHopFieldsNeverReachTheClient() throws Exception {
        try (RawBackend raw = new RawBackend("HTTP/1.1 200 OK\r\n"
                + "Content-Length: 2\r\n"
                + "Connection: keep-alive, X-Internal\r\n"
                + "X-Internal: secret\r\n"
                + "Keep-Alive: timeout=5, max=100\r\n"
                + "Proxy-Connection: keep-alive\r\n"
                + "Upgrade: h2c\r\n"
                + "X-Public: ok\r\n\r\nok", false);
                TestGateway rawGw = TestGateway.simple(raw.address())) {
            try (RawClient c = new RawClient(rawGw.port())) {
                c.send("GET /h HTTP/1.1\r\nHost: x\r\n\r\n");
                Wire.Response r = new Wire(c.input()).next(false);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.text()).isEqualTo("ok");
                for (String name : List.of("x-internal", "keep-alive", "proxy-connection", "upgrade")) {
                    assertThat(r.all(name)).as(name).isEmpty();
                }
                assertThat(r.all("connection")).noneSatisfy(v -> assertThat(v).containsIgnoringCase("x-internal"));
                assertThat(r.all("x-public")).containsExactly("ok");
            }
        }
    }

    @Test
    void clientConnectionOptionsCannotDeleteTheGatewaysFields() throws Exception {
        Wire.Response r = send(gw.port(), "GET /h HTTP/1.1\r\nHost: api.example.com\r\n"
                + "Connection: close, X-Forwarded-For, X-Forwarded-Proto, X-Forwarded-Host, Via, X-Request-Id\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        TestBackend.Recorded seen = backend.lastRequest();
        assertThat(seen.all("x-forwarded-for")).containsExactly("127.0.0.1");
        assertThat(seen.all("x-forwarded-proto")).containsExactly("http");
        assertThat(seen.all("x-forwarded-host")).containsExactly("api.example.com");
        assertThat(seen.all("via")).containsExactly("1.1 portcullis");
        assertThat(seen.all("x-request-id")).hasSize(1);
        assertThat(r.header("x-request-id")).isEqualTo(seen.header("x-request-id"));
    }

    @Test
    void backendConnectionOptionsCannotDeleteTheGatewaysResponseFields() throws Exception {
        try (RawBackend raw = new RawBackend("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                + "Connection: Via, X-Request-Id\r\n\r\nok", false);
                TestGateway rawGw = TestGateway.simple(raw.address())) {
            Wire.Response r = send(rawGw.port(),
                    "GET /h HTTP/1.1\r\nHost: x\r\nX-Request-Id: keep-me-1\r\nConnection: close\r\n\r\n");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.all("via")).containsExactly("1.1 portcullis");
            assertThat(r.all("x-request-id")).containsExactly("keep-me-1");
        }
    }

    @Test
    void xForwardedForAppendsTheClientAsLastHop() throws Exception {
        get("X-Forwarded-For: 203.0.113.7, 10.0.0.1\r\n");
        assertThat(backend.lastRequest().all("x-forwarded-for")).containsExactly("203.0.113.7, 10.0.0.1, 127.0.0.1");
    }

    @Test
    void xForwardedForSpreadOverSeveralFieldLinesKeepsEveryHop() throws Exception {
        // RFC 9110 §5.3: several field lines are one comma-separated list; no earlier hop may be lost.
        get("X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-For: 10.0.0.1\r\n");
        assertThat(String.join(", ", backend.lastRequest().all("x-forwarded-for")))
                .isEqualTo("203.0.113.7, 10.0.0.1, 127.0.0.1");
    }

    @Test
    void forwardingFieldsAndViaArePresentBothWays() throws Exception {
        Wire.Response r = get("Via: 1.1 edge\r\n");
        TestBackend.Recorded seen = backend.lastRequest();
        assertThat(seen.all("x-forwarded-proto")).containsExactly("http");
        assertThat(seen.all("x-forwarded-host")).containsExactly("api.example.com");
        assertThat(seen.all("x-forwarded-for")).containsExactly("127.0.0.1");
        assertThat(String.join(", ", seen.all("via"))).isEqualTo("1.1 edge, 1.1 portcullis");
        assertThat(r.all("via")).containsExactly("1.1 portcullis");
    }

    @Test
    void http10ClientIsRecordedAsAnHttp10HopInVia() throws Exception {
        Wire.Response r = send(gw.port(), "GET /h HTTP/1.0\r\nHost: x\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(backend.lastRequest().all("via")).containsExactly("1.0 portcullis");
    }

    @Test
    void wellFormedRequestIdIsKeptAndEchoed() throws Exception {
        String id = "client-id_1.2:3+4/5=";
        Wire.Response r = get("X-Request-Id: " + id + "\r\n");
        assertThat(backend.lastRequest().all("x-request-id")).containsExactly(id);
        assertThat(r.all("x-request-id")).containsExactly(id);
    }

    @Test
    void malformedRequestIdIsReplacedByAGeneratedOneAndEchoed() throws Exception {
        for (String bad : List.of("has spaces in it", "x".repeat(300), "{\"json\":1}", "a\tb")) {
            Wire.Response r = get("X-Request-Id: " + bad + "\r\n");
            assertThat(r.status()).isEqualTo(200);
            List<String> upstream = backend.lastRequest().all("x-request-id");
            assertThat(upstream).as("upstream id for %s", bad).hasSize(1);
            assertThat(upstream.get(0)).matches(UUID);
            assertThat(r.all("x-request-id")).containsExactlyElementsOf(upstream);
        }
    }

    @Test
    void exactlyOneHostGoesUpstream() throws Exception {
        get("");
        assertThat(backend.lastRequest().all("host")).containsExactly("api.example.com");

        // HTTP/1.0 may omit Host; the backend still gets exactly one.
        send(gw.port(), "GET /h HTTP/1.0\r\n\r\n");
        assertThat(backend.lastRequest().all("host")).hasSize(1).allSatisfy(h -> assertThat(h).isNotBlank());
    }

    @Test
    void requestFieldOrderAndDuplicatesArePreserved() throws Exception {
        get("X-A: 1\r\nX-B: 2\r\nX-A: 3\r\n");
        List<Map.Entry<String, String>> ours = backend.lastRequest().headers().stream()
                .filter(e -> e.getKey().equalsIgnoreCase("x-a") || e.getKey().equalsIgnoreCase("x-b"))
                .map(e -> Map.entry(e.getKey().toLowerCase(), e.getValue()))
                .toList();
        assertThat(ours).containsExactly(Map.entry("x-a", "1"), Map.entry("x-b", "2"), Map.entry("x-a", "3"));
    }

    @Test
    void responseFieldOrderAndDuplicateSetCookiesArePreserved() throws Exception {
        Wire.Response r = send(gw.port(), "GET /cookies HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        List<Map.Entry<String, String>> ours = r.headers().stream()
                .filter(e -> e.getKey().equalsIgnoreCase("set-cookie") || e.getKey().toLowerCase().startsWith("x-")
                        && !e.getKey().equalsIgnoreCase("x-request-id"))
                .map(e -> Map.entry(e.getKey().toLowerCase(), e.getValue()))
                .toList();
        assertThat(ours).containsExactly(
                Map.entry("x-first", "1"),
                Map.entry("set-cookie", "a=1"),
                Map.entry("x-second", "2"),
                Map.entry("set-cookie", "b=2"),
                Map.entry("set-cookie", "c=3; Path=/"),
                Map.entry("x-third", "3"));
    }
}
