package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.testing.Wire;
import io.portcullis.testing.RawClient;
import io.portcullis.testing.TestBackend;
import io.portcullis.testing.TestGateway;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Route matching and rewriting end to end: two backends named {@code alpha} and {@code beta} tell which route a
 * request took (their echo body starts with the name, and they answer with {@code x-backend}); a request no route
 * takes gets the gateway's JSON 404.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RoutingTest {
    private static final String NONE = "none";

    TestBackend alpha;
    TestBackend beta;
    TestGateway gw;

    @BeforeEach
    void startBackends() throws Exception {
        alpha = new TestBackend("alpha");
        beta = new TestBackend("beta");
    }

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
        alpha.close();
        beta.close();
    }

    /** Starts the gateway with these routes (block YAML, indented as list items under {@code routes:}). */
    private void routes(String routesYaml) throws Exception {
        gw = TestGateway.start("""
                access_log:
                  enabled: false
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                routes:
                %s
                clusters:
                  - name: alpha
                    endpoints:
                      - ${ALPHA}
                  - name: beta
                    endpoints:
                      - ${BETA}
                """.formatted(routesYaml.stripIndent().strip().indent(0).stripTrailing()),
                Map.of("ALPHA", alpha.address(), "BETA", beta.address()));
    }

    private Wire.Response send(String method, String target, String host, String... headerLines) throws Exception {
        StringBuilder req = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append("\r\n");
        for (String h : headerLines) {
            req.append(h).append("\r\n");
        }
        req.append("Connection: close\r\n\r\n");
        List<Wire.Response> responses = Wire.parse(RawClient.exchange(gw.port(), req.toString()), false);
        assertThat(responses).as("%s %s (Host %s)", method, target, host).hasSize(1);
        return responses.get(0);
    }

    /** Which backend answered ({@code alpha}, {@code beta}), or {@link #NONE} for the gateway's NO_ROUTE. */
    private String backendForMethod(String method, String target, String host, String... headerLines) throws Exception {
        Wire.Response r = send(method, target, host, headerLines);
        String what = method + " " + target + " (Host " + host + ", " + String.join(", ", headerLines) + ")";
        if (r.status() == 404 && r.header("x-backend") == null) {
            assertThat(r.text()).as(what).contains("\"error\":\"NO_ROUTE\"");
            return NONE;
        }
        assertThat(r.status()).as(what).isEqualTo(200);
        String name = r.header("x-backend");
        assertThat(r.text()).as(what).startsWith(name + " ");
        return name;
    }

    private String backendFor(String target, String host, String... headerLines) throws Exception {
        return backendForMethod("GET", target, host, headerLines);
    }

    @Test
    void hostExactAndWildcard() throws Exception {
        routes("""
                - name: exact
                  match:
                    host: api.example.com
                  cluster: alpha
                - name: wildcard
                  match:
                    hosts:
                      - "*.example.com"
                  cluster: beta
                """);
        assertThat(backendFor("/", "api.example.com")).isEqualTo("alpha");
        assertThat(backendFor("/", "API.Example.COM:8080")).as("case and port ignored").isEqualTo("alpha");
        assertThat(backendFor("/", "www.example.com")).isEqualTo("beta");
        assertThat(backendFor("/", "shop.example.com:443")).isEqualTo("beta");
        assertThat(backendFor("/", "example.com")).as("*.example.com needs a label before the suffix")
                .isEqualTo(NONE);
        assertThat(backendFor("/", "example.org")).isEqualTo(NONE);
        assertThat(backendFor("/", "evil-example.com")).isEqualTo(NONE);
        // An absolute-form target's authority is the host that routes, not the Host field.
        assertThat(backendFor("http://api.example.com/x", "www.example.com")).isEqualTo("alpha");
    }

    @Test
    void pathExactPrefixAndRegex() throws Exception {
        routes("""
                - name: exact
                  match:
                    path: /exact
                  cluster: alpha
                - name: regex
                  match:
                    path_regex: "/items/[0-9]+"
                  cluster: beta
                - name: prefix
                  match:
                    path_prefix: /pre/
                  cluster: alpha
                """);
        assertThat(backendFor("/exact", "x")).isEqualTo("alpha");
        assertThat(backendFor("/exact?q=1", "x")).as("query is not part of the path").isEqualTo("alpha");
        assertThat(backendFor("/exact/more", "x")).isEqualTo(NONE);
        assertThat(backendFor("/exactly", "x")).isEqualTo(NONE);
        assertThat(backendFor("/items/42", "x")).isEqualTo("beta");
        assertThat(backendFor("/items/42?x=y", "x")).isEqualTo("beta");
        assertThat(backendFor("/items/42x", "x")).as("regex must match the whole path").isEqualTo(NONE);
        assertThat(backendFor("/v1/items/42", "x")).as("regex must match the whole path").isEqualTo(NONE);
        assertThat(backendFor("/pre/a/b", "x")).isEqualTo("alpha");
        assertThat(backendFor("/pre/", "x")).isEqualTo("alpha");
        assertThat(backendFor("/other", "x")).isEqualTo(NONE);
    }

    @Test
    void methodMatch() throws Exception {
        routes("""
                - name: writes
                  match:
                    path_prefix: /
                    methods:
                      - POST
                      - PUT
                  cluster: beta
                - name: rest
                  match:
                    path_prefix: /
                  cluster: alpha
                """);
        assertThat(backendForMethod("GET", "/m", "x")).isEqualTo("alpha");
        assertThat(backendForMethod("POST", "/m", "x", "Content-Length: 0")).isEqualTo("beta");
        assertThat(backendForMethod("PUT", "/m", "x", "Content-Length: 0")).isEqualTo("beta");
        assertThat(backendForMethod("DELETE", "/m", "x")).isEqualTo("alpha");
    }

    @Test
    void headerMatch() throws Exception {
        routes("""
                - name: tenant
                  match:
                    path_prefix: /t
                    headers:
                      - name: X-Tenant
                        exact: blue
                  cluster: beta
                - name: version
                  match:
                    path_prefix: /v
                    headers:
                      - name: x-version
                        regex: "v[0-9]+"
                  cluster: beta
                - name: no-debug
                  match:
                    path_prefix: /d
                    headers:
                      - name: X-Debug
                        present: false
                  cluster: beta
                - name: canary
                  match:
                    path_prefix: /c
                    headers:
                      - name: X-Canary
                        present: true
                  cluster: beta
                - name: fallback
                  match:
                    path_prefix: /
                  cluster: alpha
                """);
        assertThat(backendFor("/t", "x", "X-Tenant: blue")).isEqualTo("beta");
        assertThat(backendFor("/t", "x", "x-tenant: blue")).as("name is case-insensitive").isEqualTo("beta");
        assertThat(backendFor("/t", "x", "X-Tenant: green")).isEqualTo("alpha");
        assertThat(backendFor("/t", "x")).isEqualTo("alpha");
        assertThat(backendFor("/v", "x", "X-Version: v12")).isEqualTo("beta");
        assertThat(backendFor("/v", "x", "X-Version: v12-beta")).as("regex must match the whole value")
                .isEqualTo("alpha");
        assertThat(backendFor("/d", "x")).isEqualTo("beta");
        assertThat(backendFor("/d", "x", "X-Debug: 1")).isEqualTo("alpha");
        assertThat(backendFor("/c", "x", "X-Canary: anything")).isEqualTo("beta");
        assertThat(backendFor("/c", "x")).isEqualTo("alpha");
    }

    @Test
    void firstMatchWins() throws Exception {
        routes("""
                - name: api
                  match:
                    path_prefix: /api
                  cluster: alpha
                - name: api-v1-more-specific-but-later
                  match:
                    path_prefix: /api/v1
                  cluster: beta
                - name: exact-x
                  match:
                    path: /x
                  cluster: beta
                - name: catch-all
                  match:
                    path_prefix: /
                  cluster: alpha
                """);
        assertThat(backendFor("/api/v1/users", "x")).isEqualTo("alpha");
        assertThat(backendFor("/x", "x")).isEqualTo("beta");
        assertThat(backendFor("/y", "x")).isEqualTo("alpha");
        assertThat(beta.requests()).extracting(TestBackend.Recorded::uri).containsExactly("/x");
    }

    @Test
    void prefixRewrite() throws Exception {
        routes("""
                - name: api
                  match:
                    path_prefix: /api/v1
                  cluster: beta
                  rewrite:
                    prefix: /internal
                """);
        assertThat(backendFor("/api/v1/x?q=1", "x")).isEqualTo("beta");
        assertThat(beta.lastRequest().uri()).isEqualTo("/internal/x?q=1");
    }

    @Test
    void hostRewrite() throws Exception {
        routes("""
                - name: api
                  match:
                    host: api.example.com
                  cluster: alpha
                  rewrite:
                    host: internal.svc.local
                """);
        assertThat(backendFor("/h", "api.example.com")).isEqualTo("alpha");
        TestBackend.Recorded seen = alpha.lastRequest();
        assertThat(seen.all("host")).containsExactly("internal.svc.local");
        assertThat(seen.all("x-forwarded-host")).containsExactly("api.example.com");
    }

    @Test
    void noRouteIsAJson404() throws Exception {
        routes("""
                - name: only-api
                  match:
                    host: api.example.com
                  cluster: alpha
                """);
        Wire.Response r = send("GET", "/anything", "www.example.org");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.header("content-type")).startsWith("application/json");
        JsonNode body = new ObjectMapper().readTree(r.text());
        assertThat(body.path("status").intValue()).isEqualTo(404);
        assertThat(body.path("error").textValue()).isEqualTo("NO_ROUTE");
        assertThat(body.path("request_id").textValue()).isNotBlank().isEqualTo(r.header("x-request-id"));
        assertThat(alpha.requestCount()).isZero();
        assertThat(beta.requestCount()).isZero();
    }
}
