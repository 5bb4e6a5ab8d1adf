package io.portcullis.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.config.ClusterConfig;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.Durations;
import io.portcullis.config.GatewayConfig;
import io.portcullis.config.RouteConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The config as the admin API shows it: the file's spelling, and secrets redacted by key on any object tree. */
class ConfigJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String YAML = """
            server: { event_loops: 4, drain_timeout: 45s }
            access_log: { enabled: false, path: /var/log/portcullis/access.log }
            listeners:
              - name: public
                address: 127.0.0.1:8080
                header_read_timeout: 5s
                idle_timeout: 2m
                limits: { max_request_line: 4KiB, max_header_size: 64KiB, max_header_field: 2KB, max_body_size: 1GiB }
            routes:
              - name: api
                match: { path_prefix: /api, methods: [ get ] }
                cluster: backend
                timeout: 250ms
                max_body_size: 1MiB
            clusters:
              - name: backend
                endpoints: [ "127.0.0.1:9000", "[::1]:9002" ]
                connect_timeout: 1h
                pool: { max_idle: 8, idle_timeout: 30s }
            """;

    @Test
    void realConfigInTheFilesSpelling() throws Exception {
        GatewayConfig config = new ConfigLoader(name -> null).parse(YAML, "x.yaml");

        JsonNode json = ConfigJson.redacted(config);

        assertThat(names(json)).containsExactly("server", "access_log", "admin", "listeners", "routes", "clusters",
                "security", "redis", "rate_limits", "anomaly_detection", "overload");
        assertThat(json.get("server")).isEqualTo(JSON.readTree("{\"event_loops\":4,\"drain_timeout\":\"45s\"}"));
        JsonNode listener = json.get("listeners").get(0);
        assertThat(listener.get("header_read_timeout").asText()).isEqualTo("5s");
        assertThat(listener.get("idle_timeout").asText()).isEqualTo("2m");
        assertThat(listener.get("limits").get("max_request_line").asInt()).isEqualTo(4096);
        JsonNode route = json.get("routes").get(0);
        assertThat(route.get("timeout").asText()).isEqualTo("250ms");
        assertThat(route.get("max_body_size").asLong()).isEqualTo(1L << 20);
        assertThat(route.get("match").get("path_prefix").asText()).isEqualTo("/api");
        assertThat(route.get("match").get("methods")).isEqualTo(JSON.readTree("[\"GET\"]"));
        JsonNode cluster = json.get("clusters").get(0);
        assertThat(names(cluster)).containsExactly("name", "endpoints", "lb_policy", "connect_timeout", "pool",
                "health_check", "panic_threshold", "optional", "dns_refresh", "hash_balance_factor", "resilience",
                "transport");
        assertThat(cluster.get("transport")).isEqualTo(JSON.readTree(
                "{\"protocol\":\"http1\",\"max_streams_per_connection\":100,\"tls\":null}"));
        assertThat(cluster.get("panic_threshold").asDouble()).isEqualTo(50);
        assertThat(cluster.get("lb_policy").asText()).isEqualTo("round_robin");
        assertThat(cluster.get("connect_timeout").asText()).isEqualTo("1h");
        assertThat(cluster.get("dns_refresh").asText()).isEqualTo("30s");
        assertThat(cluster.get("pool")).isEqualTo(
                JSON.readTree("{\"max_connections\":1024,\"max_idle\":8,\"idle_timeout\":\"30s\"}"));
        assertThat(cluster.get("health_check").get("jitter").asText()).isEqualTo("0s");
        assertThat(cluster.get("endpoints").get(1)).isEqualTo(
                JSON.readTree("{\"host\":\"::1\",\"port\":9002,\"weight\":1,\"priority\":0}"));
        assertThat(json.get("admin")).isEqualTo(
                JSON.readTree("{\"enabled\":false,\"host\":\"127.0.0.1\",\"port\":9901}"));
    }

    @Test
    void enumsInLowerCaseAndHashKeyStaysVisible() throws Exception {
        GatewayConfig parsed = new ConfigLoader(name -> null).parse(YAML, "x.yaml");
        ClusterConfig c = parsed.clusters().get(0);
        RouteConfig r = parsed.routes().get(0);
        GatewayConfig config = new GatewayConfig(parsed.server(), parsed.accessLog(), parsed.admin(),
                parsed.listeners(),
                List.of(new RouteConfig(r.name(), r.match(), r.cluster(), r.rewrite(), r.timeout(), r.maxBodySize(),
                        new RouteConfig.HashKey(RouteConfig.HashKey.Source.HEADER, "x-user"), null, null, null,
                        null, List.of(), null, null, null)),
                List.of(new ClusterConfig(c.name(), c.endpoints(), ClusterConfig.LbPolicy.LEAST_REQUEST,
                        c.connectTimeout(), c.pool(), c.healthCheck(), c.panicThreshold(), c.optional(),
                        c.dnsRefresh(), c.hashBalanceFactor(), c.resilience())));

        JsonNode json = ConfigJson.redacted(config);

        assertThat(json.get("clusters").get(0).get("lb_policy").asText()).isEqualTo("least_request");
        assertThat(json.get("routes").get(0).get("hash_key"))
                .isEqualTo(JSON.readTree("{\"source\":\"header\",\"name\":\"x-user\"}"));
    }

    /** Stands in for fields later issues add (OAuth clients, API keys, upstream credentials). */
    record Upstream(String name, String clientSecret, String apiKey, String hashKey, String privateKey,
            List<String> accessTokens, Map<String, String> headers, int tokensPerSecond, Credentials credentials,
            String password, Duration timeout) {
    }

    record Credentials(String user, String password, List<String> scopes) {
    }

    @Test
    void redactsSecretLookingStringsAnywhereInTheTree() throws Exception {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Api-Key", "k-123");
        headers.put("Authorization", "Bearer abc");
        headers.put("Accept", "application/json");
        Upstream upstream = new Upstream("billing", "s3cret", "ak-1", "user-id", "-----BEGIN KEY-----",
                List.of("t1", "t2"), headers, 100, new Credentials("svc", "pw", List.of("read")), null,
                Duration.ofMillis(1500));
        List<Object> tree = new ArrayList<>(List.of(Map.of("upstreams", List.of(upstream))));

        JsonNode json = ConfigJson.redactedTree(tree).get(0).get("upstreams").get(0);

        assertThat(json).isEqualTo(JSON.readTree("""
                {
                  "name": "billing",
                  "client_secret": "[redacted]",
                  "api_key": "[redacted]",
                  "hash_key": "user-id",
                  "private_key": "[redacted]",
                  "access_tokens": ["[redacted]", "[redacted]"],
                  "headers": {"X-Api-Key": "[redacted]", "Authorization": "[redacted]", "Accept": "application/json"},
                  "tokens_per_second": 100,
                  "credentials": {"user": "[redacted]", "password": "[redacted]", "scopes": ["[redacted]"]},
                  "password": null,
                  "timeout": "1500ms"
                }
                """));
    }

    @Test
    void whichKeysLookSecret() {
        assertThat(List.of("client_secret", "clientSecret", "password", "db_passwd", "tls_passphrase",
                "bearer_token", "credentials", "private_key", "privateKey", "api_key", "X-Api-Key", "authorization"))
                .allMatch(ConfigJson::looksSecret);
        assertThat(List.of("hash_key", "key", "name", "host", "monkey", "path", "cluster"))
                .noneMatch(ConfigJson::looksSecret);
    }

    @Test
    void durationsInTheLargestExactUnit() {
        assertThat(ConfigJson.format(Duration.ZERO)).isEqualTo("0s");
        assertThat(ConfigJson.format(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(ConfigJson.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(ConfigJson.format(Duration.ofSeconds(15))).isEqualTo("15s");
        assertThat(ConfigJson.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(ConfigJson.format(Duration.ofSeconds(120))).isEqualTo("2m");
        assertThat(ConfigJson.format(Duration.ofMinutes(90))).isEqualTo("90m");
        assertThat(ConfigJson.format(Duration.ofHours(2))).isEqualTo("2h");
        // Not expressible in the config's syntax: ISO-8601 rather than a rounded lie.
        assertThat(ConfigJson.format(Duration.ofNanos(1))).isEqualTo("PT0.000000001S");
        assertThat(ConfigJson.format(Duration.ofSeconds(-5))).isEqualTo("PT-5S");
    }

    @Test
    void formattedDurationsParseBackToTheSameValue() {
        for (long ms : new long[] {0, 1, 999, 1000, 1001, 59_000, 60_000, 61_000, 3_600_000, 5_400_000, 86_400_000}) {
            Duration d = Duration.ofMillis(ms);
            assertThat(Durations.parse(ConfigJson.format(d))).as("%d ms", ms).isEqualTo(d);
        }
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
