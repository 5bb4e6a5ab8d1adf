package io.portcullis.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portcullis.testing.RawClient;
import io.portcullis.testing.TestBackend;
import io.portcullis.testing.TestGateway;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * IP lists (with trusted proxies and IPv6), request validation, the injection filter, CORS and security headers,
 * end to end against a real backend: what is refused never reaches it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RequestProtectionTest {
    @TempDir
    Path dir;
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

    private void start(String top, String listenerSecurity, String routes, Map<String, String> env)
            throws Exception {
        backend = new TestBackend("b");
        Map<String, String> vars = new HashMap<>(env);
        vars.put("B", backend.address());
        gw = TestGateway.start("""
                access_log: { enabled: false }
                server:
                  event_loops: ${LOOPS:-2}
                """ + top + """
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                """ + listenerSecurity + "routes:\n" + routes + """
                clusters:
                  - name: api
                    endpoints: [ "${B}" ]
                """, vars);
    }

    private HttpResponse<String> send(String method, String path, String body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return gw.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        return send("GET", path, null, headers);
    }

    @Test
    void ipListsPerListenerAndRouteWithTrustedProxiesIpv6AndAReloadedFile() throws Exception {
        Path blocked = dir.resolve("blocked.txt");
        Files.writeString(blocked, "# abuse\n198.51.100.0/24\n");
        start("""
                security:
                  ip_lists:
                    - { name: abuse, deny_file: "%s", reload_interval: 200ms }
                """.formatted(blocked), """
                    trusted_proxies: [ 127.0.0.1/32 ]
                    security:
                      ip: { lists: [ abuse ], deny: [ "2001:db8:bad::/48" ] }
                """, """
                  - name: office
                    match: { path_prefix: /office }
                    cluster: api
                    security:
                      ip: { allow: [ 203.0.113.0/24, "2001:db8::/32" ] }
                  - name: all
                    match: { path_prefix: / }
                    cluster: api
                """, Map.of());
        // The socket peer (127.0.0.1) is a trusted proxy, so the client is the right-most untrusted hop.
        assertThat(get("/office", "X-Forwarded-For", "203.0.113.7").statusCode()).isEqualTo(200);
        assertThat(get("/office", "X-Forwarded-For", "192.0.2.1").statusCode()).isEqualTo(403);
        assertThat(get("/office", "X-Forwarded-For", "2001:db8::5").statusCode()).isEqualTo(200);
        // Spoofing: a client-written left-most entry does not win over what the proxy appended.
        assertThat(get("/office", "X-Forwarded-For", "203.0.113.7, 192.0.2.1").statusCode()).isEqualTo(403);
        assertThat(get("/office", "Forwarded", "for=\"[2001:db8::9]:4711\"").statusCode()).isEqualTo(200);
        // The listener's rules apply to every route, the route's on top.
        HttpResponse<String> denied = get("/office", "X-Forwarded-For", "2001:db8:bad::1");
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.body()).contains("\"error\":\"IP_DENIED\"");
        assertThat(get("/other", "X-Forwarded-For", "198.51.100.20").statusCode()).isEqualTo(403);
        assertThat(get("/other", "X-Forwarded-For", "192.0.2.1").statusCode()).isEqualTo(200);
        int served = backend.requestCount();

        // The deny file changes: the new address is refused without a reload of the config.
        Files.writeString(blocked, "198.51.100.0/24\n192.0.2.0/24\n");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> get("/other", "X-Forwarded-For", "192.0.2.1").statusCode() == 403);
        // A broken file is refused (the failure is counted); the last good list stays in force.
        Files.writeString(blocked, "not-an-address\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> gw.gateway().metrics().scrape().contains(
                "portcullis_security_file_reloads_total{file=\"blocked.txt\",result=\"failure\"}"));
        assertThat(get("/other", "X-Forwarded-For", "192.0.2.1").statusCode()).isEqualTo(403);
        assertThat(get("/other", "X-Forwarded-For", "203.0.113.1").statusCode()).isEqualTo(200);
        assertThat(backend.requestCount()).isGreaterThan(served);
    }

    @Test
    void headersFromAnUntrustedPeerAreIgnored() throws Exception {
        start("", """
                    security:
                      ip: { deny: [ 127.0.0.1/32 ] }
                """, """
                  - name: all
                    match: { path_prefix: / }
                    cluster: api
                """, Map.of());
        // No trusted proxies: the peer is the client whatever X-Forwarded-For claims.
        assertThat(get("/", "X-Forwarded-For", "203.0.113.7").statusCode()).isEqualTo(403);
        assertThat(backend.requestCount()).isZero();
    }

    @Test
    void validationRefusesWrongMethodsTypesQueriesAndBodiesWithAListOfWhatWasWrong() throws Exception {
        Path schema = dir.resolve("order.schema.json");
        Files.writeString(schema, """
                { "type": "object", "required": ["item", "qty"], "additionalProperties": false,
                  "properties": { "item": { "type": "string" }, "qty": { "type": "integer", "minimum": 1 } } }
                """);
        start("", "", """
                  - name: orders
                    match: { path_prefix: /orders }
                    cluster: api
                    security:
                      validate:
                        methods: [ GET, POST ]
                        content_types: [ application/json ]
                        json_schema: "%s"
                        max_json_depth: 8
                        max_json_size: 4KiB
                        query:
                          limit: { type: integer, max_length: 3 }
                          sort: { values: [ asc, desc ] }
                        allow_unknown_query: false
                """.formatted(schema), Map.of());
        String json = "application/json";
        assertThat(send("POST", "/orders", "{\"item\":\"pen\",\"qty\":2}", "Content-Type", json).statusCode())
                .isEqualTo(200);
        assertThat(backend.lastRequest().bodyBytes()).isEqualTo("{\"item\":\"pen\",\"qty\":2}".length());

        HttpResponse<String> method = send("DELETE", "/orders/1", null);
        assertThat(method.statusCode()).isEqualTo(405);
        assertThat(method.headers().firstValue("allow")).hasValue("GET, POST");
        assertThat(send("POST", "/orders", "item=pen", "Content-Type", "text/plain").statusCode()).isEqualTo(415);
        HttpResponse<String> malformed = send("POST", "/orders", "{\"item\":", "Content-Type", json);
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("\"error\":\"MALFORMED_BODY\"");
        HttpResponse<String> invalid = send("POST", "/orders", "{\"item\":7,\"qty\":0,\"x\":1}", "Content-Type",
                json);
        assertThat(invalid.statusCode()).isEqualTo(422);
        assertThat(invalid.body()).contains("\"error\":\"SCHEMA_VIOLATION\"", "\"details\":[", "/item", "/qty");
        assertThat(send("POST", "/orders", "[".repeat(50) + "]".repeat(50), "Content-Type", json).body())
                .contains("BODY_TOO_DEEP");
        // Over max_json_size: refused before it is read (Content-Length) or as soon as it grows past it (chunked).
        String big = "{\"item\":\"" + "x".repeat(5000) + "\",\"qty\":1}";
        assertThat(send("POST", "/orders", big, "Content-Type", json).statusCode()).isEqualTo(413);
        assertThat(gw.client().send(HttpRequest.newBuilder(gw.uri("/orders")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", json).POST(HttpRequest.BodyPublishers.ofInputStream(() ->
                        new java.io.ByteArrayInputStream(big.getBytes()))).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(413);
        HttpResponse<String> query = get("/orders?limit=abcd&sort=up&debug=1");
        assertThat(query.statusCode()).isEqualTo(400);
        assertThat(query.body()).contains("\"error\":\"INVALID_QUERY\"", "query.limit", "query.sort",
                "query.debug");
        assertThat(get("/orders?limit=10&sort=asc").statusCode()).isEqualTo(200);
        assertThat(backend.requestCount()).isEqualTo(2);

        // A body refused after it was read in full leaves the keep-alive connection usable.
        try (RawClient raw = new RawClient(gw.port())) {
            raw.send("POST /orders HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n"
                    + "{\"a\":1}GET /orders HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            String both = raw.readUntilClose(5_000);
            assertThat(both).startsWith("HTTP/1.1 422").contains("HTTP/1.1 200");
        }
    }

    @Test
    void injectionFilterBlocksAttacksInQueryHeadersAndBodiesAndLetsBenignTextThrough() throws Exception {
        start("", "", """
                  - name: search
                    match: { path_prefix: /search }
                    cluster: api
                    security: { injection: { mode: block, headers: [ x-comment ] } }
                  - name: watch
                    match: { path_prefix: /watch }
                    cluster: api
                    security: { injection: { mode: detect } }
                """, Map.of());
        assertThat(get("/search?q=O%27Brien%20%26%20D%27Angelo").statusCode()).isEqualTo(200);
        assertThat(get("/search?q=select%20the%20best%20option%20or%20union%20jack").statusCode()).isEqualTo(200);
        HttpResponse<String> sqli = get("/search?q=1%27%20OR%20%271%27%3D%271");
        assertThat(sqli.statusCode()).isEqualTo(403);
        assertThat(sqli.body()).contains("\"error\":\"INJECTION_DETECTED\"");
        assertThat(get("/search?q=%253Cscript%253Ealert(1)%253C%252Fscript%253E").statusCode()).isEqualTo(403);
        assertThat(get("/search", "x-comment", "<img src=x onerror=alert(1)>").statusCode()).isEqualTo(403);
        assertThat(send("POST", "/search", "{\"name\":\"x\",\"bio\":\"<svg onload=alert(1)>\"}", "Content-Type",
                "application/json").statusCode()).isEqualTo(403);
        assertThat(send("POST", "/search", "user=admin%27--&pass=x", "Content-Type",
                "application/x-www-form-urlencoded").statusCode()).isEqualTo(403);
        assertThat(send("POST", "/search", "{\"name\":\"O'Brien\",\"note\":\"**bold** and `code`\"}",
                "Content-Type", "application/json").statusCode()).isEqualTo(200);
        assertThat(backend.requestCount()).isEqualTo(3);

        // Detect mode: the request passes, the finding is counted.
        assertThat(get("/watch?id=1%20UNION%20SELECT%20password%20FROM%20users").statusCode()).isEqualTo(200);
        assertThat(gw.gateway().metrics().scrape()).contains("portcullis_security_detections_total{filter="
                + "\"injection\",reason=\"SQLI\",route=\"watch\"} 1.0");
    }

    @Test
    void corsPreflightsAreAnsweredByTheGatewayAndResponsesCarryTheGrantAndSecurityHeaders() throws Exception {
        start("", """
                    security:
                      response_headers: { set: { content-security-policy: "default-src 'none'" } }
                """, """
                  - name: api
                    match: { path_prefix: / }
                    cluster: api
                    security:
                      cors:
                        origins: [ "https://app.example.com", "https://*.partner.test" ]
                        methods: [ GET, PUT ]
                        headers: [ authorization, content-type ]
                        credentials: true
                        max_age: 10m
                      validate: { methods: [ GET, PUT ] }
                """, Map.of());
        HttpResponse<String> preflight = send("OPTIONS", "/items/1", null, "Origin", "https://a.partner.test",
                "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "content-type");
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("access-control-allow-origin")).hasValue("https://a.partner.test");
        assertThat(preflight.headers().firstValue("access-control-allow-credentials")).hasValue("true");
        assertThat(preflight.headers().firstValue("access-control-max-age")).hasValue("600");
        assertThat(preflight.body()).isEmpty();
        HttpResponse<String> refused = send("OPTIONS", "/items/1", null, "Origin", "https://evil.test",
                "Access-Control-Request-Method", "PUT");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("CORS_ORIGIN_NOT_ALLOWED");
        assertThat(backend.requestCount()).isZero();

        HttpResponse<String> actual = get("/items/1", "Origin", "https://app.example.com");
        assertThat(actual.statusCode()).isEqualTo(200);
        assertThat(actual.headers().firstValue("access-control-allow-origin")).hasValue("https://app.example.com");
        assertThat(actual.headers().allValues("vary")).anyMatch(v -> v.contains("Origin"));
        assertThat(actual.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        assertThat(actual.headers().firstValue("content-security-policy")).hasValue("default-src 'none'");
        // The gateway's own refusals carry them too, so a browser can read the error.
        HttpResponse<String> notAllowed = send("DELETE", "/items/1", null, "Origin", "https://app.example.com");
        assertThat(notAllowed.statusCode()).isEqualTo(405);
        assertThat(notAllowed.headers().firstValue("access-control-allow-origin"))
                .hasValue("https://app.example.com");
        assertThat(notAllowed.headers().firstValue("x-frame-options")).hasValue("DENY");
    }
}
