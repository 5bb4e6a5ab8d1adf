package io.portcullis.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.portcullis.config.GatewayConfig.AdminConfig;
import io.portcullis.testing.RawClient;
import io.portcullis.testing.StubAdminModel;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin endpoints over a real socket: statuses, content types, bodies, HEAD, 404, 405, keep-alive, binding. */
class AdminServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static MultiThreadIoEventLoopGroup group;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private StubAdminModel model;
    private AdminServer server;

    @BeforeAll
    static void startLoops() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopLoops() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @BeforeEach
    void start() throws Exception {
        model = new StubAdminModel(
                JSON.readTree("{\"backend\":{\"endpoints\":[{\"address\":\"10.0.0.1:80\",\"healthy\":true}]}}"),
                JSON.readTree("{\"server\":{\"event_loops\":2}}"),
                () -> "# HELP up Up\n# TYPE up gauge\nup 1.0\n", METRICS_TYPE);
        server = AdminServer.start(new AdminConfig(true, "127.0.0.1", 0), model, group,
                NioServerSocketChannel.class);
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void live() throws Exception {
        HttpResponse<String> r = get("/health/live");

        assertJson(r, 200, "{\"status\":\"live\"}");
    }

    @Test
    void readyAndNotReady() throws Exception {
        assertJson(get("/health/ready"), 200, "{\"status\":\"ready\"}");

        model.readiness(Readiness.notReady(List.of("cluster backend: no healthy endpoint", "warming up")));

        assertJson(get("/health/ready"), 503, "{\"status\":\"not_ready\",\"reasons\":"
                + "[\"cluster backend: no healthy endpoint\",\"warming up\"]}");
    }

    @Test
    void clustersAndConfigAreTheModelsJson() throws Exception {
        assertJson(get("/clusters"), 200, JSON.writeValueAsString(model.clusters()));
        assertJson(get("/config"), 200, JSON.writeValueAsString(model.config()));
    }

    @Test
    void metricsWithTheModelsContentType() throws Exception {
        HttpResponse<String> r = get("/metrics");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue(METRICS_TYPE);
        assertThat(r.body()).isEqualTo(model.metrics());
        assertThat(r.headers().firstValueAsLong("content-length")).hasValue(r.body().length());
    }

    @Test
    void queryStringIsIgnoredForMatching() throws Exception {
        assertJson(get("/health/live?verbose=1"), 200, "{\"status\":\"live\"}");
    }

    @Test
    void unknownPathIs404() throws Exception {
        assertJson(get("/nope"), 404, "{\"status\":404,\"error\":\"NOT_FOUND\"}");
        assertJson(get("/health"), 404, "{\"status\":404,\"error\":\"NOT_FOUND\"}");
        assertJson(get("/metrics/"), 404, "{\"status\":404,\"error\":\"NOT_FOUND\"}");
    }

    @Test
    void otherMethodsAre405WithAllow() throws Exception {
        for (String method : List.of("POST", "PUT", "DELETE", "OPTIONS")) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/health/ready"))
                    .method(method, HttpRequest.BodyPublishers.noBody()));

            assertJson(r, 405, "{\"status\":405,\"error\":\"METHOD_NOT_ALLOWED\"}");
            assertThat(r.headers().firstValue("allow")).as(method).hasValue("GET, HEAD");
        }
    }

    @Test
    void headAnswersLikeGetWithoutABody() throws Exception {
        for (String path : List.of("/health/live", "/health/ready", "/clusters", "/config", "/metrics")) {
            HttpResponse<String> get = get(path);
            HttpResponse<String> head = send(HttpRequest.newBuilder(uri(path))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()));

            assertThat(head.statusCode()).as(path).isEqualTo(get.statusCode());
            assertThat(head.body()).as(path).isEmpty();
            assertThat(head.headers().firstValue("content-type")).as(path)
                    .isEqualTo(get.headers().firstValue("content-type"));
            assertThat(head.headers().firstValueAsLong("content-length")).as(path).hasValue(get.body().length());
        }
    }

    @Test
    void keepsTheConnectionAliveAcrossRequests() throws Exception {
        try (RawClient raw = new RawClient(server.address().getPort())) {
            raw.send("GET /health/live HTTP/1.1\r\nHost: admin\r\n\r\n"
                    + "HEAD /metrics HTTP/1.1\r\nHost: admin\r\n\r\n"
                    + "GET /nope HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n");

            String all = raw.readUntilClose(5000);

            assertThat(all).startsWith("HTTP/1.1 200 OK\r\n");
            assertThat(all.split("HTTP/1.1 ", -1)).hasSize(4);
            assertThat(all).contains("{\"status\":\"live\"}", "HTTP/1.1 404 Not Found\r\n")
                    .endsWith("{\"status\":404,\"error\":\"NOT_FOUND\"}");
            assertThat(all).doesNotContain("up 1.0"); // the HEAD answer had no body
        }
    }

    @Test
    void http10WithoutKeepAliveIsClosedAfterTheAnswer() throws Exception {
        String response = RawClient.exchange(server.address().getPort(), "GET /health/live HTTP/1.0\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.0 200 OK\r\n").endsWith("{\"status\":\"live\"}");
    }

    @Test
    void aModelFailureIs500() throws Exception {
        AdminModel broken = new StubAdminModel(null, null, () -> {
            throw new IllegalStateException("registry closed");
        }, METRICS_TYPE);
        try (AdminServer other = AdminServer.start(new AdminConfig(true, "127.0.0.1", 0), broken, group,
                NioServerSocketChannel.class)) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + other.address().getPort() + "/metrics")));

            assertJson(r, 500, "{\"status\":500,\"error\":\"INTERNAL_ERROR\"}");
        }
    }

    @Test
    void aTakenAddressFailsNamingIt() {
        int port = server.address().getPort();

        assertThatThrownBy(() -> AdminServer.start(new AdminConfig(true, "127.0.0.1", port), model, group,
                NioServerSocketChannel.class))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("admin listener on 127.0.0.1:" + port);
    }

    @Test
    void aDisabledConfigIsRefused() {
        assertThatThrownBy(() -> AdminServer.start(AdminConfig.DISABLED, model, group,
                NioServerSocketChannel.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("disabled");
    }

    @Test
    void pathIgnoresQueryAndFragment() {
        assertThat(AdminHandler.path("/metrics?x=1#y")).isEqualTo("/metrics");
        assertThat(AdminHandler.path("/metrics#y?x")).isEqualTo("/metrics");
        assertThat(AdminHandler.path("/metrics")).isEqualTo("/metrics");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.address().getPort() + path);
    }

    private static void assertJson(HttpResponse<String> r, int status, String json) throws Exception {
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.headers().firstValueAsLong("content-length")).hasValue(r.body().length());
        JsonNode body = JSON.readTree(r.body());
        assertThat(body).isEqualTo(JSON.readTree(json));
    }
}
