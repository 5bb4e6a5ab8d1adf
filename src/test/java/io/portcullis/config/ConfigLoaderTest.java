package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.config.ClusterConfig.Endpoint;
import io.portcullis.config.RouteConfig.HeaderMatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading good files: the minimal file, the full shape, JSON, and environment substitution end to end. */
class ConfigLoaderTest {

    static final String MINIMAL = """
            listeners:
              - name: public
                address: 127.0.0.1:${PORT:-8080}
            routes:
              - name: all
                match: { path_prefix: / }
                cluster: backend
            clusters:
              - name: backend
                endpoints: [ "127.0.0.1:${ORIGIN_PORT:-9000}" ]
            """;

    static final String FULL = """
            server: { event_loops: 4, drain_timeout: 45s }
            access_log: { enabled: false, path: /var/log/portcullis/access.log }
            listeners:
              - name: public
                address: 0.0.0.0:8080
                header_read_timeout: 5s
                idle_timeout: 2m
                limits: { max_request_line: 4KiB, max_header_size: 64KiB, max_header_field: 2KB, max_body_size: 1GiB }
              - name: v6
                address: "[::1]:0"
            routes:
              - name: api
                match:
                  hosts: [ api.example.com, "*.example.net" ]
                  path_prefix: /api
                  methods: [ get, POST ]
                  headers: [ { name: x-env, exact: canary }, { name: x-debug, present: false }, { name: x-v, regex: "^[0-9]+$" } ]
                cluster: backend
                rewrite: { prefix: /internal, host: backend.internal }
                timeout: 250ms
                max_body_size: 1MiB
              - name: versioned
                match: { host: v.example.com, path_regex: "^/v[0-9]+/.*" }
                cluster: backend
                timeout: 1500
              - name: exact
                match: { path: /health }
                cluster: backend
            clusters:
              - name: backend
                endpoints: [ "127.0.0.1:9000", "localhost:9001", "[::1]:9002" ]
                connect_timeout: 1h
                pool: { max_idle: 8, idle_timeout: 30s }
            """;

    @Test
    void minimalFileUsesDefaultsWithoutEnvironment() throws Exception {
        GatewayConfig config = new ConfigLoader(name -> null).parse(MINIMAL, "minimal.yaml");

        assertThat(config.server()).isEqualTo(GatewayConfig.ServerConfig.DEFAULT);
        assertThat(config.accessLog()).isEqualTo(GatewayConfig.AccessLogConfig.DEFAULT);
        assertThat(config.listeners()).containsExactly(new ListenerConfig("public", "127.0.0.1", 8080,
                ListenerConfig.Limits.DEFAULT, ListenerConfig.DEFAULT_HEADER_READ_TIMEOUT,
                ListenerConfig.DEFAULT_IDLE_TIMEOUT));
        assertThat(config.routes()).containsExactly(new RouteConfig("all",
                new RouteConfig.Match(List.of(), null, "/", null, List.of(), List.of()),
                "backend", RouteConfig.Rewrite.NONE, null, null));
        assertThat(config.clusters()).containsExactly(
                ClusterConfig.of("backend", List.of(new Endpoint("127.0.0.1", 9000))));
    }

    @Test
    void minimalFileTakesPortsFromEnvironment() throws Exception {
        Map<String, String> env = Map.of("PORT", "18080", "ORIGIN_PORT", "19000");
        GatewayConfig config = new ConfigLoader(env::get).parse(MINIMAL, "minimal.yaml");

        assertThat(config.listeners().get(0).port()).isEqualTo(18080);
        assertThat(config.clusters().get(0).endpoints()).containsExactly(new Endpoint("127.0.0.1", 19000));
    }

    @Test
    void fullFileBindsEveryField() throws Exception {
        GatewayConfig config = new ConfigLoader(name -> null).parse(FULL, "full.yaml");

        assertThat(config.server()).isEqualTo(new GatewayConfig.ServerConfig(4, Duration.ofSeconds(45)));
        assertThat(config.accessLog())
                .isEqualTo(new GatewayConfig.AccessLogConfig(false, "/var/log/portcullis/access.log"));
        assertThat(config.listeners()).containsExactly(
                new ListenerConfig("public", "0.0.0.0", 8080,
                        new ListenerConfig.Limits(4096, 65536, 2000, 1L << 30),
                        Duration.ofSeconds(5), Duration.ofMinutes(2)),
                new ListenerConfig("v6", "::1", 0, ListenerConfig.Limits.DEFAULT,
                        ListenerConfig.DEFAULT_HEADER_READ_TIMEOUT, ListenerConfig.DEFAULT_IDLE_TIMEOUT));
        assertThat(config.routes()).containsExactly(
                new RouteConfig("api",
                        new RouteConfig.Match(List.of("api.example.com", "*.example.net"), null, "/api", null,
                                List.of("GET", "POST"),
                                List.of(new HeaderMatch("x-env", "canary", null, null),
                                        new HeaderMatch("x-debug", null, null, false),
                                        new HeaderMatch("x-v", null, "^[0-9]+$", null))),
                        "backend", new RouteConfig.Rewrite("/internal", "backend.internal"),
                        Duration.ofMillis(250), 1L << 20),
                new RouteConfig("versioned",
                        new RouteConfig.Match(List.of("v.example.com"), null, null, "^/v[0-9]+/.*", List.of(),
                                List.of()),
                        "backend", RouteConfig.Rewrite.NONE, Duration.ofMillis(1500), null),
                new RouteConfig("exact",
                        new RouteConfig.Match(List.of(), "/health", null, null, List.of(), List.of()),
                        "backend", RouteConfig.Rewrite.NONE, null, null));
        assertThat(config.clusters()).containsExactly(new ClusterConfig("backend",
                List.of(new Endpoint("127.0.0.1", 9000), new Endpoint("localhost", 9001), new Endpoint("::1", 9002)),
                ClusterConfig.LbPolicy.ROUND_ROBIN, Duration.ofHours(1),
                new ClusterConfig.Pool(ClusterConfig.Pool.DEFAULT.maxConnections(), 8, Duration.ofSeconds(30)),
                ClusterConfig.HealthCheck.NONE, ClusterConfig.DEFAULT_PANIC_THRESHOLD, false,
                ClusterConfig.DEFAULT_DNS_REFRESH, 0, ResilienceConfig.DEFAULT));
        assertThat(config.clusters().get(0).endpoints().get(2)).hasToString("[::1]:9002");
    }

    @Test
    void loadsJsonFileFromDisk(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("gateway.json");
        Files.writeString(file, """
                {
                  "listeners": [ { "name": "public", "address": "127.0.0.1:${PORT:-8080}" } ],
                  "routes": [ { "name": "all", "match": { "path_prefix": "/" }, "cluster": "backend",
                                "max_body_size": "${BODY}" } ],
                  "clusters": [ { "name": "backend", "endpoints": [ "127.0.0.1:9000" ],
                                  "pool": { "max_idle": "${IDLE}" } } ]
                }
                """);
        GatewayConfig config = new ConfigLoader(Map.of("BODY", "2048", "IDLE", "3")::get).load(file);

        assertThat(config.listeners().get(0).port()).isEqualTo(8080);
        assertThat(config.routes().get(0).maxBodySize()).isEqualTo(2048L);
        assertThat(config.clusters().get(0).pool().maxIdle()).isEqualTo(3);
    }

    @Test
    void loadsYamlFileFromDiskAndNamesItInErrors(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("gateway.yaml");
        Files.writeString(good, MINIMAL);
        assertThat(ConfigLoader.withSystemEnv().load(good).routes()).hasSize(1);

        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, MINIMAL.replace("cluster: backend", "cluster: other"));
        assertThatThrownBy(() -> new ConfigLoader(name -> null).load(bad))
                .isInstanceOf(ConfigException.class)
                .hasMessage(bad + ":7:14: /routes/0/cluster: unknown cluster 'other'; defined clusters: backend");
    }

    @Test
    void unreadableFileIsAConfigError(@TempDir Path dir) {
        Path missing = dir.resolve("missing.yaml");
        assertThatThrownBy(() -> new ConfigLoader(name -> null).load(missing))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors()).singleElement()
                        .satisfies(error -> {
                            assertThat(error.file()).isEqualTo(missing.toString());
                            assertThat(error.message()).startsWith("cannot read configuration file");
                        }));
    }

    @Test
    void wholeExpressionBecomesANumberSoIntegerFieldsAcceptIt() throws Exception {
        String yaml = MINIMAL + """
                server:
                  event_loops: ${LOOPS}
                """;
        GatewayConfig config = new ConfigLoader(Map.of("LOOPS", "3")::get).parse(yaml, "g.yaml");

        assertThat(config.server().eventLoops()).isEqualTo(3);
    }

    @Test
    void doubleDollarEscapesALiteralExpression() throws Exception {
        String yaml = MINIMAL + """
                access_log: { path: "/logs/$${HOME}/access.log" }
                """;
        GatewayConfig config = new ConfigLoader(Map.of("HOME", "/root")::get).parse(yaml, "g.yaml");

        assertThat(config.accessLog().path()).isEqualTo("/logs/${HOME}/access.log");
    }
}
