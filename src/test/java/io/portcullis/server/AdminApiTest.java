package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.testing.NamedBackend;
import io.portcullis.testing.Promtool;
import io.portcullis.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The admin listener of a running gateway: liveness, readiness following cluster health, the cluster view, the
 * effective config and the Prometheus scrape (checked by promtool), after real traffic through the gateway.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private NamedBackend api;
    private NamedBackend spare;
    private TestGateway gw;

    @BeforeEach
    void start() throws Exception {
        api = new NamedBackend("api");
        spare = new NamedBackend("spare").healthStatus(503);
        gw = TestGateway.start("""
                access_log: { enabled: false }
                admin: { address: "127.0.0.1:0" }
                listeners: [ { name: public, address: "127.0.0.1:0" } ]
                routes:
                  - name: api
                    match: { path_prefix: /api }
                    cluster: api
                  - name: spare
                    match: { path_prefix: /spare }
                    cluster: spare
                clusters:
                  - name: api
                    lb_policy: least_request
                    endpoints: [ { address: "${API}", weight: 3 } ]
                    health_check:
                      http: { path: /healthz }
                      interval: 20ms
                      unhealthy_threshold: 1
                      healthy_threshold: 1
                  - name: spare
                    optional: true
                    panic_threshold: 0
                    endpoints: [ "${SPARE}" ]
                    health_check: { http: { path: /healthz }, interval: 20ms }
                """, Map.of("API", api.address(), "SPARE", spare.address()));
    }

    @AfterEach
    void stop() {
        gw.close();
        api.close();
        spare.close();
    }

    private HttpResponse<String> admin(String path) throws Exception {
        URI uri = URI.create("http://" + gw.gateway().adminAddress().getHostString() + ":"
                + gw.gateway().adminAddress().getPort() + path);
        return gw.client().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode adminJson(String path) throws Exception {
        HttpResponse<String> r = admin(path);
        assertThat(r.statusCode()).as("%s: %s", path, r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/json"));
        return JSON.readTree(r.body());
    }

    @Test
    void liveAndReadyFollowClusterHealthButNotOptionalClusters() throws Exception {
        await().until(() -> !gw.gateway().clusters().get("spare").hasHealthyEndpoint());
        assertThat(admin("/health/live").statusCode()).isEqualTo(200);
        // The spare cluster has nothing healthy, but it is optional.
        await().atMost(Duration.ofSeconds(5)).until(() -> admin("/health/ready").statusCode() == 200);

        api.healthStatus(500);
        await().atMost(Duration.ofSeconds(5)).until(() -> admin("/health/ready").statusCode() == 503);
        assertThat(admin("/health/ready").body()).contains("cluster api has no healthy endpoint")
                .doesNotContain("spare");
        assertThat(admin("/health/live").statusCode()).isEqualTo(200);

        api.healthStatus(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> admin("/health/ready").statusCode() == 200);
    }

    @Test
    void clustersShowEndpointsHealthWeightsAndPools() throws Exception {
        await().until(() -> !gw.gateway().clusters().get("spare").hasHealthyEndpoint());
        assertThat(gw.get("/api/x").statusCode()).isEqualTo(200);

        JsonNode clusters = adminJson("/clusters").path("clusters");
        assertThat(clusters).hasSize(2);
        JsonNode apiCluster = clusters.path(0);
        assertThat(apiCluster.path("name").asText()).isEqualTo("api");
        assertThat(apiCluster.path("lb_policy").asText()).isEqualTo("least_request");
        assertThat(apiCluster.path("health_check").asText()).isEqualTo("http");
        JsonNode endpoint = apiCluster.path("endpoints").path(0);
        assertThat(endpoint.path("address").asText()).isEqualTo(api.address());
        assertThat(endpoint.path("weight").asInt()).isEqualTo(3);
        assertThat(endpoint.path("healthy").asBoolean()).isTrue();
        assertThat(endpoint.path("active_requests").asInt()).isZero();
        assertThat(endpoint.path("connections").path("open").asLong()).isPositive();
        assertThat(endpoint.path("connections").path("idle").asLong()).isPositive();
        JsonNode spareEndpoint = clusters.path(1).path("endpoints").path(0);
        assertThat(spareEndpoint.path("healthy").asBoolean()).isFalse();
    }

    @Test
    void configShowsTheEffectiveConfigWithDefaults() throws Exception {
        JsonNode config = adminJson("/config");
        JsonNode api = config.path("clusters").path(0);
        assertThat(api.path("lb_policy").asText()).isEqualTo("least_request");
        assertThat(api.path("connect_timeout").asText()).isEqualTo("2s");
        assertThat(config.path("routes").path(1).path("cluster").asText()).isEqualTo("spare");
    }

    @Test
    void metricsCountTrafficAndPassPromtool() throws Exception {
        await().until(() -> !gw.gateway().clusters().get("spare").hasHealthyEndpoint());
        for (int i = 0; i < 5; i++) {
            assertThat(gw.get("/api/" + i).statusCode()).isEqualTo(200);
        }
        assertThat(gw.get("/spare").statusCode()).isEqualTo(503);
        assertThat(gw.get("/nowhere").statusCode()).isEqualTo(404);

        HttpResponse<String> r = admin("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("text/plain"));
        String scrape = r.body();
        assertThat(scrape.lines()).anySatisfy(l -> assertThat(l)
                .matches("portcullis_requests_total\\{.*route=\"api\".*status_class=\"2xx\".*} 5(\\.0)?"));
        assertThat(scrape.lines()).anySatisfy(l -> assertThat(l)
                .matches("portcullis_requests_total\\{.*route=\"spare\".*status_class=\"5xx\".*} 1(\\.0)?"));
        assertThat(scrape.lines()).anySatisfy(l -> assertThat(l)
                .matches("portcullis_requests_total\\{.*status_class=\"4xx\".*} 1(\\.0)?"));
        assertThat(scrape.lines()).anySatisfy(l -> assertThat(l)
                .matches("portcullis_upstream_endpoint_healthy\\{.*cluster=\"spare\".*} 0(\\.0)?"));
        assertThat(scrape.lines()).anySatisfy(l -> assertThat(l)
                .matches("portcullis_upstream_health_transitions_total\\{.*cluster=\"spare\".*to=\"unhealthy\".*} 1(\\.0)?"));
        assertThat(scrape).contains("portcullis_request_duration_seconds_bucket", "portcullis_upstream_connections{",
                "jvm_memory_used_bytes", "netty_");
        Promtool.assertClean(scrape);
    }
}
