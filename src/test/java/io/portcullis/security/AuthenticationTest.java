package io.portcullis.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import io.portcullis.admin.ConfigJson;
import io.portcullis.config.ConfigLoader;
import io.portcullis.security.apikey.ApiConsumer;
import io.portcullis.security.apikey.ApiKeyFile;
import io.portcullis.security.apikey.ApiKeyStore;
import io.portcullis.security.apikey.ApiKeys;
import io.portcullis.testing.JwksServer;
import io.portcullis.testing.LogCapture;
import io.portcullis.testing.RawClient;
import io.portcullis.testing.TestBackend;
import io.portcullis.testing.TestGateway;
import io.portcullis.testing.TestKeys;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authentication and authorization end to end: a real gateway, a real backend, a real JWKS server that rotates
 * its keys, tokens and API keys made here.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuthenticationTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef-hmac";

    @TempDir
    Path dir;
    private TestBackend backend;
    private TestGateway gw;
    private JwksServer jwks;
    private String yaml;
    private Map<String, String> env;

    @AfterEach
    void close() {
        if (gw != null) {
            gw.close();
        }
        if (backend != null) {
            backend.close();
        }
        if (jwks != null) {
            jwks.close();
        }
    }

    private void start(String security, String routes, Map<String, String> env) throws Exception {
        backend = new TestBackend("b");
        Map<String, String> vars = new HashMap<>(env);
        vars.put("B", backend.address());
        yaml = """
                access_log: { enabled: false }
                server:
                  event_loops: ${LOOPS:-2}
                listeners: [ { name: public, address: "127.0.0.1:0" } ]
                security:
                """ + security + "routes:\n" + routes + """
                clusters:
                  - name: api
                    endpoints: [ "${B}" ]
                """;
        this.env = vars;
        gw = TestGateway.start(yaml, vars);
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path)).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return gw.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JWTClaimsSet.Builder claims() {
        return TestKeys.claims(Instant.now()).subject("alice").claim("email", "alice@example.com")
                .claim("realm_access", Map.of("roles", List.of("orders-read")));
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    private void startJwt() throws Exception {
        start("""
                  jwt:
                    - name: idp
                      jwks_url: "${JWKS}"
                      issuer: https://idp.test
                      audiences: [ orders-api ]
                      min_refetch_interval: 1s
                      roles_claim: realm_access.roles
                      claims_to_headers: { sub: x-user, email: x-email }
                """, """
                  - name: orders
                    match: { path_prefix: /orders }
                    cluster: api
                    security:
                      auth: [ "jwt:idp" ]
                      authorize: { roles: { any_of: [ orders-read, orders-admin ] } }
                  - name: open
                    match: { path_prefix: /open }
                    cluster: api
                    security: { public: true }
                """, Map.of("JWKS", jwks.uri().toString()));
    }

    @Test
    void jwtFromAJwksUrlAuthenticatesForwardsClaimsAndRefusesEveryBadToken() throws Exception {
        RSAKey k1 = TestKeys.rsa("k1");
        jwks = new JwksServer(TestKeys.jwks(k1));
        startJwt();

        HttpResponse<String> none = get("/orders/1");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"portcullis\"");
        assertThat(none.body()).contains("\"error\":\"MISSING_CREDENTIALS\"", "\"request_id\":\"");

        String good = TestKeys.sign(k1, JWSAlgorithm.RS256, claims().build());
        HttpResponse<String> ok = get("/orders/1", "Authorization", bearer(good), "x-user", "mallory",
                "x-consumer", "mallory");
        assertThat(ok.statusCode()).isEqualTo(200);
        TestBackend.Recorded seen = backend.lastRequest();
        assertThat(seen.all("x-user")).containsExactly("alice");
        assertThat(seen.all("x-consumer")).containsExactly("alice");
        assertThat(seen.header("x-email")).isEqualTo("alice@example.com");
        assertThat(seen.header("authorization")).isEqualTo(bearer(good)); // kept unless strip_authorization
        assertThat(backend.requestCount()).isEqualTo(1);

        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put("TOKEN_EXPIRED", TestKeys.sign(k1, JWSAlgorithm.RS256, claims()
                .expirationTime(java.util.Date.from(Instant.now().minusSeconds(600))).build()));
        bad.put("TOKEN_BAD_AUDIENCE", TestKeys.sign(k1, JWSAlgorithm.RS256, claims().audience("billing").build()));
        bad.put("TOKEN_BAD_ISSUER", TestKeys.sign(k1, JWSAlgorithm.RS256, claims().issuer("https://evil.test")
                .build()));
        bad.put("TOKEN_ALG_NOT_ALLOWED", unsigned(claims().build()));
        bad.put("TOKEN_BAD_SIGNATURE", tamper(good));
        bad.put("TOKEN_ALG_NOT_ALLOWED ", keyConfusion(k1, claims().build()));
        bad.put("TOKEN_MALFORMED", "not.a.jwt");
        bad.put("TOKEN_TOO_LARGE", TestKeys.sign(k1, JWSAlgorithm.RS256, claims().claim("pad", "x".repeat(9000))
                .build()));
        for (Map.Entry<String, String> e : bad.entrySet()) {
            HttpResponse<String> refused = get("/orders/1", "Authorization", bearer(e.getValue()));
            assertThat(refused.statusCode()).as(e.getKey()).isEqualTo(401);
            assertThat(refused.body()).as(e.getKey()).contains("\"error\":\"" + e.getKey().trim() + "\"");
            assertThat(refused.headers().firstValue("www-authenticate")).as(e.getKey())
                    .hasValue("Bearer realm=\"portcullis\", error=\"invalid_token\"");
        }
        HttpResponse<String> noRole = get("/orders/1", "Authorization", bearer(TestKeys.sign(k1, JWSAlgorithm.RS256,
                claims().claim("realm_access", Map.of("roles", List.of("billing"))).build())));
        assertThat(noRole.statusCode()).isEqualTo(403);
        assertThat(noRole.body()).contains("\"error\":\"MISSING_ROLE\"");
        assertThat(backend.requestCount()).as("no refused request reached the backend").isEqualTo(1);

        // A public route: no credentials needed, and forged identity headers still never reach the backend.
        assertThat(get("/open", "x-user", "mallory", "x-consumer", "mallory").statusCode()).isEqualTo(200);
        assertThat(backend.lastRequest().all("x-user")).isEmpty();
        assertThat(backend.lastRequest().all("x-consumer")).isEmpty();

        String metrics = gw.gateway().metrics().scrape();
        assertThat(metrics).contains("portcullis_security_rejections_total{filter=\"auth\",reason=\"TOKEN_EXPIRED\","
                + "route=\"orders\"} 1.0");
        assertThat(metrics).contains("portcullis_security_rejections_total{filter=\"authorize\","
                + "reason=\"MISSING_ROLE\",route=\"orders\"} 1.0");
        assertThat(metrics).containsPattern("portcullis_jwks_fetches_total\\{provider=\"idp\",result=\"success\"} "
                + "[1-9]");
    }

    @Test
    void aRotatedKeyIsFetchedOnItsFirstUseWhileTheRequestWaitsWithItsBody() throws Exception {
        RSAKey k1 = TestKeys.rsa("k1");
        RSAKey k2 = TestKeys.rsa("k2");
        jwks = new JwksServer(TestKeys.jwks(k1));
        startJwt();
        assertThat(get("/orders/1", "Authorization", bearer(TestKeys.sign(k1, JWSAlgorithm.RS256,
                claims().build()))).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> jwks.requests() >= 1);
        Thread.sleep(1_100); // past min_refetch_interval, so an unknown kid may refetch

        jwks.serve(TestKeys.jwks(k2)); // the identity provider rotates
        jwks.mode(JwksServer.Mode.HOLD); // and answers slowly: the request waits, body and all
        String token = TestKeys.sign(k2, JWSAlgorithm.RS256, claims().build());
        String body = "{\"item\":\"" + "x".repeat(20_000) + "\"}";
        CompletableFuture<HttpResponse<String>> pending = gw.client().sendAsync(HttpRequest.newBuilder(
                gw.uri("/orders/2")).timeout(Duration.ofSeconds(10)).header("Authorization", bearer(token))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(5)).until(() -> jwks.held() == 1);
        assertThat(pending).isNotDone();
        int before = backend.requestCount();
        jwks.release();
        HttpResponse<String> response = pending.get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(backend.requestCount()).isEqualTo(before + 1);
        assertThat(backend.lastRequest().bodyBytes()).isEqualTo(body.length());

        // An unknown kid again within min_refetch_interval: refused at once, no fetch.
        int fetches = jwks.requests();
        HttpResponse<String> unknown = get("/orders/3", "Authorization", bearer(TestKeys.sign(TestKeys.rsa("k3"),
                JWSAlgorithm.RS256, claims().build())));
        assertThat(unknown.body()).contains("TOKEN_UNKNOWN_KEY");
        assertThat(jwks.requests()).isEqualTo(fetches);
    }

    @Test
    void aReloadKeepsTheKeySourceOfAnUnchangedProviderAndReplacesAChangedOne() throws Exception {
        RSAKey k1 = TestKeys.rsa("k1");
        jwks = new JwksServer(TestKeys.jwks(k1));
        startJwt();
        String token = TestKeys.sign(k1, JWSAlgorithm.RS256, claims().build());
        assertThat(get("/orders/1", "Authorization", bearer(token)).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> jwks.requests() == 1);

        gw.gateway().reload(new ConfigLoader(env::get).parse(yaml, "test.yaml"));
        Thread.sleep(300); // a new key source would fetch at once
        assertThat(jwks.requests()).as("same provider config: no refetch").isEqualTo(1);
        assertThat(get("/orders/1", "Authorization", bearer(token)).statusCode()).isEqualTo(200);

        gw.gateway().reload(new ConfigLoader(env::get).parse(yaml.replace("min_refetch_interval: 1s",
                "min_refetch_interval: 2s"), "test.yaml"));
        await().atMost(Duration.ofSeconds(5)).until(() -> jwks.requests() == 2);
        assertThat(get("/orders/1", "Authorization", bearer(token)).statusCode()).isEqualTo(200);
    }

    @Test
    void apiKeysFromConfigAndFromAFileTheirRotationAndTheKeyNeverGoesUpstream() throws Exception {
        String alice1 = ApiKeys.generate(new SecureRandom());
        String alice2 = ApiKeys.generate(new SecureRandom());
        String bob = ApiKeys.generate(new SecureRandom());
        Path file = dir.resolve("keys.yaml");
        ApiKeyFile.write(file, ApiKeyStore.of(List.of(new ApiConsumer("bob", Set.of("reader"),
                List.of(ApiKeys.hash(bob))))));
        start("""
                  api_keys:
                    query_param: api_key
                    file: "${FILE}"
                    reload_interval: 200ms
                    consumers:
                      - { name: alice, roles: [ admin ], keys: [ "${A1}", "${A2}" ] }
                """, """
                  - name: admin
                    match: { path_prefix: /admin }
                    cluster: api
                    security: { auth: [ api_key ], authorize: { roles: { all_of: [ admin ] } } }
                  - name: read
                    match: { path_prefix: /read }
                    cluster: api
                    security: { auth: [ api_key ] }
                """, Map.of("A1", ApiKeys.hash(alice1), "A2", ApiKeys.hash(alice2), "FILE", file.toString()));

        for (String key : List.of(alice1, alice2)) {
            assertThat(get("/admin/x", "x-api-key", key).statusCode()).isEqualTo(200);
            assertThat(backend.lastRequest().header("x-consumer")).isEqualTo("alice");
            assertThat(backend.lastRequest().all("x-api-key")).isEmpty();
        }
        HttpResponse<String> wrong = get("/admin/x", "x-api-key", "pk_wrong");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("INVALID_API_KEY");
        assertThat(get("/admin/x", "x-api-key", bob).statusCode()).isEqualTo(403);

        assertThat(get("/read/items?page=2&api_key=" + bob + "&sort=asc").statusCode()).isEqualTo(200);
        assertThat(backend.lastRequest().uri()).isEqualTo("/read/items?page=2&sort=asc");
        assertThat(backend.lastRequest().header("x-consumer")).isEqualTo("bob");

        // A consumer added to the file is accepted once the file is re-read; no restart.
        String carol = ApiKeys.generate(new SecureRandom());
        ApiKeyFile.write(file, ApiKeyFile.read(file).with(new ApiConsumer("carol", Set.of(),
                List.of(ApiKeys.hash(carol)))));
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/read/x", "x-api-key", carol).statusCode() == 200);
        assertThat(backend.lastRequest().header("x-consumer")).isEqualTo("carol");
    }

    @Test
    void hmacTokensOnlyWithASecretFromAFileAndTheConfigViewRedactsIt() throws Exception {
        Path secret = dir.resolve("jwt.secret");
        Files.writeString(secret, SECRET + "\n");
        start("""
                  jwt:
                    - name: internal
                      hmac_secret: "${file:%s}"
                      algorithms: [ HS256 ]
                      strip_authorization: true
                """.formatted(secret), """
                  - name: all
                    match: { path_prefix: / }
                    cluster: api
                    security: { auth: [ jwt ] }
                """, Map.of());
        String token = TestKeys.hmac(SECRET.getBytes(StandardCharsets.UTF_8), JWSAlgorithm.HS256, null,
                claims().build());
        assertThat(get("/x", "Authorization", bearer(token)).statusCode()).isEqualTo(200);
        assertThat(backend.lastRequest().all("authorization")).isEmpty();
        String forged = TestKeys.hmac("another-secret-another-secret-0123".getBytes(StandardCharsets.UTF_8),
                JWSAlgorithm.HS256, null, claims().build());
        assertThat(get("/x", "Authorization", bearer(forged)).body()).contains("TOKEN_BAD_SIGNATURE");
        String shown = ConfigJson.redacted(new ConfigLoader(env::get).parse(yaml, "x.yaml", dir)).toString();
        assertThat(shown).doesNotContain(SECRET).contains("\"hmac_secret\":\"[redacted]\"");
    }

    @Test
    void everyRefusalIsAnAuditLineWithoutTheCredential() throws Exception {
        String key = ApiKeys.generate(new SecureRandom());
        start("""
                  api_keys:
                    consumers: [ { name: alice, keys: [ "${K}" ] } ]
                """, """
                  - name: all
                    match: { path_prefix: / }
                    cluster: api
                    security: { auth: [ api_key ] }
                """, Map.of("K", ApiKeys.hash(key)));
        try (LogCapture audit = new LogCapture("portcullis.audit")) {
            String wrongKey = "pk_" + "z".repeat(43);
            assertThat(get("/secret/path?q=1", "x-api-key", wrongKey).statusCode()).isEqualTo(401);
            await().atMost(Duration.ofSeconds(5)).until(() -> !audit.lines().isEmpty());
            String line = audit.lines().get(0);
            assertThat(line).contains("\"event\":\"deny\"", "\"route\":\"all\"", "\"filter\":\"auth\"",
                    "\"reason\":\"INVALID_API_KEY\"", "\"status\":401", "\"client\":\"127.0.0.1\"",
                    "\"path\":\"/secret/path\"", "\"request_id\":\"");
            assertThat(line).doesNotContain(wrongKey).doesNotContain("q=1");
        }
        // A refused request with a body read in full leaves the connection usable.
        try (RawClient raw = new RawClient(gw.port())) {
            raw.send("GET /a HTTP/1.1\r\nHost: t\r\n\r\nGET /b HTTP/1.1\r\nHost: t\r\nx-api-key: " + key
                    + "\r\nConnection: close\r\n\r\n");
            String both = raw.readUntilClose(5_000);
            assertThat(both).startsWith("HTTP/1.1 401").contains("HTTP/1.1 200");
        }
    }

    private static String unsigned(JWTClaimsSet claims) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8)) + ".";
    }

    /** The payload of a signed token changed after signing: the subject becomes "admin". */
    private static String tamper(String token) {
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"alice\"", "\"admin\"");
        return parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    }

    /** HS256 "signed" with the RSA public key's bytes as the secret: the classic key-confusion attack. */
    private static String keyConfusion(RSAKey key, JWTClaimsSet claims) throws Exception {
        byte[] publicKey = key.toRSAPublicKey().getEncoded();
        return TestKeys.hmac(publicKey, JWSAlgorithm.HS256, "k1", claims);
    }
}
