package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.portcullis.config.ClusterConfig.Endpoint;
import io.portcullis.config.ClusterConfig.LbPolicy;
import io.portcullis.config.ClusterConfig.StatusRange;
import io.portcullis.config.RouteConfig.HashKey;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Load balancing, health check, hash key and admin fields: how they bind, and how mistakes are reported. */
class ClusterConfigLoadingTest {

    private final ConfigLoader loader = new ConfigLoader(name -> null);

    private static String withClusters(String routeExtra, String clusters) {
        return """
                listeners: [ { name: public, address: "127.0.0.1:0" } ]
                routes:
                  - name: all
                    match: { path_prefix: / }
                    cluster: api
                """ + routeExtra + "clusters:\n" + clusters;
    }

    private List<String> errors(String yaml) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.parse(yaml, "c.yaml"));
        assertThat(e).as("expected the configuration to be rejected").isNotNull();
        return e.errors().stream().map(ConfigError::toString).toList();
    }

    @Test
    void bindsEveryClusterField() throws Exception {
        GatewayConfig config = loader.parse(withClusters("    hash_key: { header: x-user }\n", """
                  - name: api
                    lb_policy: ring_hash
                    endpoints:
                      - 127.0.0.1:9000
                      - { address: "localhost:9001", weight: 3 }
                      - { address: "10.0.0.9:80", priority: 1, weight: 2 }
                    connect_timeout: 500ms
                    pool: { max_connections: 50, max_idle: 4, idle_timeout: 5s }
                    health_check:
                      http: { path: /healthz, host: api.internal, expected_statuses: [ 200, "300-302" ] }
                      interval: 2s
                      jitter: 100ms
                      timeout: 1s
                      healthy_threshold: 1
                      unhealthy_threshold: 4
                    panic_threshold: 25
                    optional: true
                    dns_refresh: 0
                    hash_balance_factor: 125
                """) + "admin: { address: \"127.0.0.1:0\" }\n", "c.yaml");

        ClusterConfig c = config.clusters().get(0);
        assertThat(c.endpoints()).containsExactly(new Endpoint("127.0.0.1", 9000, 1, 0),
                new Endpoint("localhost", 9001, 3, 0), new Endpoint("10.0.0.9", 80, 2, 1));
        assertThat(c.lbPolicy()).isEqualTo(LbPolicy.RING_HASH);
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.pool()).isEqualTo(new ClusterConfig.Pool(50, 4, Duration.ofSeconds(5)));
        assertThat(c.healthCheck()).isEqualTo(new ClusterConfig.HealthCheck(true,
                new ClusterConfig.Http("/healthz", "api.internal",
                        List.of(new StatusRange(200, 200), new StatusRange(300, 302))),
                Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofSeconds(1), 1, 4));
        assertThat(c.healthCheck().http().expected(301)).isTrue();
        assertThat(c.healthCheck().http().expected(204)).isFalse();
        assertThat(c.panicThreshold()).isEqualTo(25);
        assertThat(c.optional()).isTrue();
        assertThat(c.dnsRefresh()).isZero();
        assertThat(c.hashBalanceFactor()).isEqualTo(125);
        assertThat(config.routes().get(0).hashKey()).isEqualTo(new HashKey(HashKey.Source.HEADER, "x-user"));
        assertThat(config.admin()).isEqualTo(new GatewayConfig.AdminConfig(true, "127.0.0.1", 0));
    }

    @Test
    void defaultsWhenOnlyEndpointsAreGiven() throws Exception {
        GatewayConfig config = loader.parse(withClusters("", """
                  - name: api
                    endpoints: [ "127.0.0.1:9000" ]
                """), "c.yaml");

        assertThat(config.clusters()).containsExactly(
                ClusterConfig.of("api", List.of(new Endpoint("127.0.0.1", 9000))));
        assertThat(config.routes().get(0).hashKey()).isNull();
        assertThat(config.admin().enabled()).isFalse();
    }

    @Test
    void tcpCheckAndDefaultHttpStatuses() throws Exception {
        GatewayConfig tcp = loader.parse(withClusters("", """
                  - name: api
                    endpoints: [ "127.0.0.1:9000" ]
                    health_check: { tcp: {} }
                """), "c.yaml");
        GatewayConfig http = loader.parse(withClusters("", """
                  - name: api
                    endpoints: [ "127.0.0.1:9000" ]
                    health_check: { http: { path: / } }
                """), "c.yaml");

        assertThat(tcp.clusters().get(0).healthCheck().enabled()).isTrue();
        assertThat(tcp.clusters().get(0).healthCheck().http()).isNull();
        assertThat(http.clusters().get(0).healthCheck().http().expectedStatuses())
                .containsExactly(StatusRange.SUCCESS);
    }

    @Test
    void everyHashKeySourceBinds() throws Exception {
        for (var entry : List.of(
                List.of("{ cookie: session }", new HashKey(HashKey.Source.COOKIE, "session")),
                List.of("{ query_param: user }", new HashKey(HashKey.Source.QUERY_PARAM, "user")),
                List.of("{ client_address: true }", new HashKey(HashKey.Source.CLIENT_ADDRESS, null)),
                List.of("{ path: true }", new HashKey(HashKey.Source.PATH, null)))) {
            GatewayConfig config = loader.parse(withClusters("    hash_key: " + entry.get(0) + "\n", """
                      - name: api
                        lb_policy: maglev
                        endpoints: [ "127.0.0.1:9000" ]
                    """), "c.yaml");
            assertThat(config.routes().get(0).hashKey()).isEqualTo(entry.get(1));
        }
    }

    @Test
    void refusesUnknownPolicyDuplicateAddressesBadWeightsAndMisplacedHashKeys() {
        List<String> errors = errors(withClusters("    hash_key: { header: x-user }\n", """
                  - name: api
                    lb_policy: least_connections
                    endpoints:
                      - 127.0.0.1:9000
                      - { address: "127.0.0.1:9001", weight: 0 }
                      - { address: "LOCALHOST:9002" }
                      - localhost:9002
                """));

        // The unknown policy is reported once, not again through the hash key that depends on it.
        assertThat(errors).containsExactly(
                "c.yaml:9:16: /clusters/0/lb_policy: does not have a value in the enumeration [\"round_robin\", "
                        + "\"random\", \"least_request\", \"ring_hash\", \"maglev\"]",
                "c.yaml:12:46: /clusters/0/endpoints/1/weight: must have a minimum value of 1, was integer 0",
                "c.yaml:14:9: /clusters/0/endpoints/3: duplicate endpoint address 'localhost:9002'; already listed at"
                        + " line 13 (use weight instead)");
    }

    @Test
    void hashKeyOnARoundRobinClusterNamesThePolicy() {
        assertThat(errors(withClusters("    hash_key: { path: true }\n", """
                  - name: api
                    endpoints: [ "127.0.0.1:9000" ]
                """))).containsExactly("c.yaml:6:15: /routes/0/hash_key: hash_key needs a cluster with lb_policy"
                + " ring_hash or maglev; cluster 'api' uses round_robin");
    }

    @Test
    void hashBalanceFactorOnlyForHashingPoliciesAndAtLeast100() {
        List<String> errors = errors(withClusters("", """
                  - name: api
                    lb_policy: random
                    hash_balance_factor: 150
                    endpoints: [ "127.0.0.1:9000" ]
                  - name: b
                    lb_policy: maglev
                    hash_balance_factor: 99
                    endpoints: [ "127.0.0.1:9000" ]
                """));
        assertThat(errors).hasSize(2);
        assertThat(errors.get(0)).isEqualTo("c.yaml:9:26: /clusters/0/hash_balance_factor: hash_balance_factor needs"
                + " lb_policy ring_hash or maglev; this cluster uses random");
        assertThat(errors.get(1)).startsWith("c.yaml:13:26: /clusters/1/hash_balance_factor:").contains("100");
    }

    @Test
    void hashKeyTakesExactlyOneSource() {
        assertThat(errors(withClusters("    hash_key: { path: true, header: x }\n", """
                  - name: api
                    lb_policy: ring_hash
                    endpoints: [ "127.0.0.1:9000" ]
                """))).singleElement().asString().startsWith("c.yaml:6:15: /routes/0/hash_key:");
    }

    @Test
    void healthCheckMistakes() {
        List<String> errors = errors(withClusters("", """
                  - name: api
                    endpoints: [ "127.0.0.1:9000" ]
                    health_check: { interval: 0, timeout: 1s }
                  - name: b
                    endpoints: [ "127.0.0.1:9000" ]
                    health_check: { tcp: {}, http: { path: /h, expected_statuses: [ "299-200", 600 ] } }
                """));

        assertThat(errors).anySatisfy(e -> assertThat(e).isEqualTo("c.yaml:9:19: /clusters/0/health_check: "
                + "health_check needs one of http or tcp (write tcp: {} for a connect check)"));
        assertThat(errors).anySatisfy(e -> assertThat(e).isEqualTo(
                "c.yaml:9:31: /clusters/0/health_check/interval: must be greater than 0"));
        assertThat(errors).anySatisfy(e -> assertThat(e).isEqualTo("c.yaml:12:19: /clusters/1/health_check: "
                + "health_check takes one of http and tcp, not both"));
        assertThat(errors).anySatisfy(e -> assertThat(e)
                .startsWith("c.yaml:12:69: /clusters/1/health_check/http/expected_statuses/0:")
                .contains("from <= to"));
        assertThat(errors).anySatisfy(e -> assertThat(e)
                .startsWith("c.yaml:12:80: /clusters/1/health_check/http/expected_statuses/1:"));
    }

    @Test
    void panicThresholdIsAPercentage() {
        assertThat(errors(withClusters("", """
                  - name: api
                    endpoints: [ "127.0.0.1:9000" ]
                    panic_threshold: 150
                """))).singleElement().asString().startsWith("c.yaml:9:22: /clusters/0/panic_threshold:");
    }

    @Test
    void adminAddressIsChecked() {
        assertThat(errors(withClusters("", """
                  - name: api
                    endpoints: [ "127.0.0.1:9000" ]
                admin: { address: nowhere }
                """))).singleElement().asString().startsWith("c.yaml:9:19: /admin/address: missing port");
    }

    @Test
    void noneIsNotARouteOrClusterName() {
        assertThat(errors("""
                listeners: [ { name: public, address: "127.0.0.1:0" } ]
                routes: [ { name: none, match: {}, cluster: none } ]
                clusters: [ { name: none, endpoints: [ "127.0.0.1:9000" ] } ]
                """)).containsExactly(
                "c.yaml:2:19: /routes/0/name: the route name 'none' is reserved: metrics label requests that no"
                        + " route took with it",
                "c.yaml:3:21: /clusters/0/name: the cluster name 'none' is reserved: metrics label requests that no"
                        + " route took with it");
    }
}
