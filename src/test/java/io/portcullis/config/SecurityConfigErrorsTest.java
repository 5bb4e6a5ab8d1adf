package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.ratelimit.anomaly.ActionType;
import io.portcullis.ratelimit.anomaly.AnomalyRules;
import io.portcullis.ratelimit.anomaly.RuleResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bad security block is refused with the file, line and reason of each mistake. */
class SecurityConfigErrorsTest {
    @TempDir
    Path dir;

    private List<String> errors(String yaml) {
        ConfigException e = (ConfigException) org.assertj.core.api.Assertions.catchThrowable(() ->
                new ConfigLoader(Map.<String, String>of()::get).parse(yaml, "gw.yaml", dir));
        assertThat(e).as("config should be refused").isNotNull();
        return e.errors().stream().map(ConfigError::toString).toList();
    }

    private static String config(String security, String listenerSecurity, String routeSecurity) {
        return """
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                """ + listenerSecurity + """
                security:
                """ + security + """
                routes:
                  - name: r
                    match: { path_prefix: / }
                    cluster: c
                """ + routeSecurity + """
                clusters:
                  - name: c
                    endpoints: [ "127.0.0.1:9" ]
                """;
    }

    @Test
    void referencesCidrsAndPoliciesThatCannotWorkAreErrorsAtTheirLines() {
        List<String> errors = errors(config("""
                  jwt:
                    - { name: idp, jwks_url: "http://127.0.0.1:9/jwks" }
                  ip_lists:
                    - { name: office, allow: [ 10.0.0.0/8, "10.1.2.3/8", nonsense ] }
                """, """
                    trusted_proxies: [ "300.1.1.1" ]
                    security: { ip: { deny: [ ] } }
                """, """
                    security:
                      auth: [ "jwt:other", api_key ]
                      ip: { lists: [ offices ] }
                      cors: { origins: [ "*" ], credentials: true }
                """));
        assertThat(errors).anyMatch(e -> e.startsWith("gw.yaml:4:24: /listeners/0/trusted_proxies/0:"));
        assertThat(errors).anyMatch(e -> e.startsWith("gw.yaml:10:44: /security/ip_lists/0/allow/1:")
                && e.contains("10.0.0.0/8"));
        assertThat(errors).anyMatch(e -> e.startsWith("gw.yaml:10:58: /security/ip_lists/0/allow/2:"));
        assertThat(errors).anyMatch(e -> e.contains("/routes/0/security/auth/0: unknown JWT provider 'other'"));
        assertThat(errors).anyMatch(e -> e.contains("/routes/0/security/auth/1: api_key needs security.api_keys"));
        assertThat(errors).anyMatch(e -> e.contains("/routes/0/security/ip/lists/0: unknown IP list 'offices'"));
        assertThat(errors).anyMatch(e -> e.contains("/routes/0/security/cors:"));
    }

    @Test
    void aListenerThatRequiresAuthenticationNeedsAWayOnEveryRouteThatIsNotPublic() {
        List<String> errors = errors(config("""
                  api_keys: { consumers: [] }
                """, """
                    security: { require_auth: true }
                """, """
                    security: { authorize: { roles: { any_of: [ admin ] } } }
                """));
        assertThat(errors).anyMatch(e -> e.startsWith("gw.yaml:4:31: /listeners/0/security/require_auth:")
                && e.contains("route 'r' has no auth methods"));
        assertThat(errors).anyMatch(e -> e.contains("/routes/0/security: route 'r' authorizes but has no auth"));
        assertThat(errors(config("""
                  api_keys: { consumers: [] }
                """, "", """
                    security: { public: true, authorize: { consumers: [ a ] } }
                """))).anyMatch(e -> e.contains("/routes/0/security/authorize: a public route authenticates nobody"));
    }

    @Test
    void filesAreReadWhileTheConfigIsValidated() throws Exception {
        Files.writeString(dir.resolve("bad-schema.json"), "{ \"type\": 12 }");
        Files.writeString(dir.resolve("jwks.json"), "{ \"keys\": \"nope\" }");
        List<String> errors = errors(config("""
                  jwt:
                    - { name: idp, jwks_file: jwks.json }
                    - { name: shared, hmac_secret: too-short, algorithms: [ HS256 ] }
                    - { name: lonely, algorithms: [ HS512 ] }
                  api_keys: { file: missing-keys.yaml }
                  ip_lists:
                    - { name: l, deny_file: missing.txt }
                """, "", """
                    security:
                      auth: [ jwt ]
                      validate: { json_schema: bad-schema.json, query: { q: { pattern: "([a-z" } } }
                """));
        assertThat(errors).anyMatch(e -> e.contains("/security/jwt/0/jwks_file:") && e.contains("jwks.json"));
        assertThat(errors).anyMatch(e -> e.contains("/security/jwt/1/hmac_secret: hmac_secret must be at least"));
        assertThat(errors).anyMatch(e -> e.contains("/security/jwt/2: JWT provider 'lonely' has no keys"));
        assertThat(errors).anyMatch(e -> e.contains("/security/jwt/2/algorithms: HS512 needs hmac_secret"));
        assertThat(errors).anyMatch(e -> e.contains("/security/api_keys/file:") && e.contains("missing-keys.yaml"));
        assertThat(errors).anyMatch(e -> e.contains("/security/ip_lists/0/deny_file:") && e.contains("missing.txt"));
        assertThat(errors).anyMatch(e -> e.contains("/routes/0/security/auth/0: 'jwt' needs exactly one provider"));
        assertThat(errors).anyMatch(e -> e.contains("/routes/0/security/validate/json_schema:")
                && e.contains("bad-schema.json"));
        assertThat(errors).anyMatch(e -> e.contains("/routes/0/security/validate/query/q/pattern: invalid regex"));
    }

    @Test
    void plainKeysAndUnknownFieldsAreRefusedByTheSchema() {
        List<String> errors = errors(config("""
                  api_keys:
                    consumers: [ { name: a, keys: [ "pk_plainkeyinconfig" ] } ]
                """, "", """
                    security: { authenticate: [ api_key ] }
                """));
        assertThat(errors).anyMatch(e -> e.contains("/security/api_keys/consumers/0/keys/0:"));
        assertThat(errors).anyMatch(e -> e.contains("/routes/0/security/authenticate:")
                && e.contains("unknown property"));
    }

    @Test
    void aValidPolicyBindsWithDefaults() throws Exception {
        GatewayConfig config = new ConfigLoader(Map.<String, String>of()::get).parse(config("""
                  jwt:
                    - { name: idp, jwks_url: "http://127.0.0.1:9/jwks", claims_to_headers: { sub: X-User } }
                """, """
                    trusted_proxies: [ 10.0.0.0/8 ]
                    security: { require_auth: true, auth: [ jwt ] }
                """, """
                    security:
                      authorize: { scopes: { all_of: [ read ] } }
                      injection: { mode: detect }
                """), "gw.yaml", dir);
        SecurityConfig.JwtProvider idp = config.security().jwt().get(0);
        assertThat(idp.clockSkew()).hasSeconds(30);
        assertThat(idp.claimsToHeaders()).containsExactly(Map.entry("sub", "x-user"));
        assertThat(config.listeners().get(0).trustedProxies()).containsExactly("10.0.0.0/8");
        assertThat(config.listeners().get(0).security().auth()).containsExactly("jwt");
        PolicyConfig route = config.routes().get(0).security();
        assertThat(route.authorize().scopesAllOf()).containsExactly("read");
        assertThat(route.injection().mode()).isEqualTo(PolicyConfig.Injection.Mode.DETECT);
        assertThat(route.injection().maxBody()).isEqualTo(64 * 1024);
        assertThatThrownBy(() -> config.routes().get(0).security().auth().add("x"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void rateLimitsAndPrioritiesThatCannotWorkAreErrorsAtTheirLines() {
        List<String> errors = errors("""
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                    security: { rate_limits: [ nope ] }
                rate_limits:
                  - { name: a, rate: 10, shared: true }
                  - { name: b, rate: 10, algorithm: leaky_bucket }
                  - { name: c, rate: 10, max_delay: 1s, batch: 5 }
                routes:
                  - name: r
                    match: { path_prefix: / }
                    cluster: c
                    security: { priority: urgent }
                clusters:
                  - name: c
                    endpoints: [ "127.0.0.1:9" ]
                """);
        assertThat(errors).anyMatch(e -> e.startsWith("gw.yaml:4:32: /listeners/0/security/rate_limits/0: unknown"
                + " rate limit 'nope'"));
        assertThat(errors).anyMatch(e -> e.contains("/rate_limits/0/shared: a shared limit needs redis"));
        assertThat(errors).anyMatch(e -> e.contains("/rate_limits/1/algorithm: a leaky bucket needs max_delay"));
        assertThat(errors).anyMatch(e -> e.contains("/rate_limits/2/max_delay: max_delay is for leaky_bucket"));
        assertThat(errors).anyMatch(e -> e.contains("/rate_limits/2/batch: batch leases tokens from Redis"));
        assertThat(errors).anyMatch(e -> e.contains("/routes/0/security/priority: a priority needs the top-level"
                + " overload section"));
        assertThat(errors("""
                listeners: [ { name: public, address: "127.0.0.1:0" } ]
                overload: { classes: [ low, high ], roles: { vip: urgent }, min_limit: 50, initial_limit: 10 }
                routes:
                  - { name: r, match: { path_prefix: / }, cluster: c, security: { priority: urgent } }
                clusters:
                  - { name: c, endpoints: [ "127.0.0.1:9" ] }
                """)).anyMatch(e -> e.contains("/overload/roles/vip: unknown class 'urgent'"))
                .anyMatch(e -> e.contains("/overload: limits must satisfy min_limit <= initial_limit <= max_limit"))
                .anyMatch(e -> e.contains("/routes/0/security/priority: unknown class 'urgent'"));
    }

    @Test
    void anomalyRulesBindOverTheirDefaultsAndBadOnesAreErrorsAtTheirLines() throws Exception {
        GatewayConfig config = new ConfigLoader(Map.<String, String>of()::get).parse("""
                listeners: [ { name: public, address: "127.0.0.1:0" } ]
                anomaly_detection:
                  client_ip_flood: { floor_per_second: 50, action: block, duration: 90s }
                  path_scanning: { action: shadow }
                  credential_stuffing: { enabled: false }
                routes:
                  - { name: r, match: { path_prefix: / }, cluster: c }
                clusters:
                  - { name: c, endpoints: [ "127.0.0.1:9" ] }
                """, "gw.yaml", dir);
        AnomalyRules rules = config.anomalyDetection();
        assertThat(rules.clientIpFlood().floorPerSecond()).isEqualTo(50);
        assertThat(rules.clientIpFlood().factor()).isEqualTo(AnomalyRules.DEFAULT.clientIpFlood().factor());
        assertThat(rules.clientIpFlood().response())
                .isEqualTo(new RuleResponse(ActionType.BLOCK, Duration.ofSeconds(90), 10));
        assertThat(rules.pathScanning().response().action()).isEqualTo(ActionType.SHADOW);
        assertThat(rules.pathScanning().response().duration()).isEqualTo(Duration.ofMinutes(15));
        assertThat(rules.credentialStuffing().enabled()).isFalse();
        assertThat(rules.consumerFlood()).isEqualTo(AnomalyRules.DEFAULT.consumerFlood());

        assertThat(new ConfigLoader(Map.<String, String>of()::get).parse("""
                listeners: [ { name: public, address: "127.0.0.1:0" } ]
                anomaly_detection: { enabled: false, path_scanning: { action: shadow } }
                routes: []
                clusters: []
                """, "gw.yaml", dir).anomalyDetection()).isNull();

        assertThat(errors("""
                listeners: [ { name: public, address: "127.0.0.1:0" } ]
                anomaly_detection:
                  client_ip_flood: { bad_seconds: 6, of_seconds: 5 }
                  route_error_spike:
                    duration: 200h
                  path_scanning: { action: ban, min_distinct_paths: 101 }
                routes: []
                clusters: []
                """)).anyMatch(e -> e.equals("gw.yaml:3:35: /anomaly_detection/client_ip_flood/bad_seconds:"
                        + " client_ip_flood.bad_seconds must be in [1, of_seconds = 5], was 6"))
                .anyMatch(e -> e.equals("gw.yaml:5:15: /anomaly_detection/route_error_spike/duration:"
                        + " route_error_spike.duration must be in (0, PT168H], was PT200H"))
                .anyMatch(e -> e.contains("/anomaly_detection/path_scanning/action:"))
                .anyMatch(e -> e.contains("/anomaly_detection/path_scanning/min_distinct_paths:"))
                .hasSize(4);
    }

    @Test
    void aPriorityHeaderMustBeOneTheGatewaySets() throws Exception {
        String body = """
                security:
                  jwt:
                    - { name: idp, jwks_url: "http://127.0.0.1:9/jwks", claims_to_headers: { plan: X-Plan } }
                routes:
                  - { name: r, match: { path_prefix: / }, cluster: c }
                clusters:
                  - { name: c, endpoints: [ "127.0.0.1:9" ] }
                """;
        assertThat(errors("""
                listeners: [ { name: public, address: "127.0.0.1:0" } ]
                overload:
                  consumers: { checkout: urgent }
                  header: { name: X-Tier, values: { gold: top } }
                """ + body)).anyMatch(e -> e.startsWith("gw.yaml:4:19: /overload/header/name: 'X-Tier' is not a"
                        + " header the gateway sets") && e.contains("[x-consumer, x-plan]"))
                .anyMatch(e -> e.contains("/overload/consumers/checkout: unknown class 'urgent'"))
                .anyMatch(e -> e.contains("/overload/header/values/gold: unknown class 'top'"));
        OverloadConfig overload = new ConfigLoader(Map.<String, String>of()::get).parse("""
                listeners: [ { name: public, address: "127.0.0.1:0" } ]
                overload:
                  consumers: { checkout: high }
                  header: { name: X-Plan, values: { gold: high, free: low } }
                """ + body, "gw.yaml", dir).overload();
        assertThat(overload.consumers()).containsExactly(Map.entry("checkout", "high"));
        assertThat(overload.header()).isEqualTo(new OverloadConfig.PriorityHeader("x-plan",
                Map.of("gold", "high", "free", "low")));
    }
}
