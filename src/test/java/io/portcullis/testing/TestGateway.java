package io.portcullis.testing;

import io.portcullis.config.ConfigLoader;
import io.portcullis.config.GatewayConfig;
import io.portcullis.server.Gateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A gateway started in-process from YAML text on port 0, for end-to-end tests. {@code ${NAME}} placeholders are
 * filled from the map given to {@link #start} (and {@code ${LOOPS}} from the environment); the listener is named
 * {@code public}. {@link #simple} runs {@code ${LOOPS:-2}} event loops.
 */
public final class TestGateway implements AutoCloseable {
    private final Gateway gateway;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private TestGateway(Gateway gateway) {
        this.gateway = gateway;
    }

    public static TestGateway start(String yaml, Map<String, String> env) throws Exception {
        Map<String, String> vars = new HashMap<>(env);
        // LOOPS comes from the build (surefire runs the end-to-end tests with 1 and with 2 event loops).
        String loops = System.getenv("LOOPS");
        if (loops != null) {
            vars.putIfAbsent("LOOPS", loops);
        }
        GatewayConfig config = new ConfigLoader(vars::get).parse(yaml, "test.yaml");
        return new TestGateway(Gateway.start(config));
    }

    /** One listener on port 0, one catch-all route to one cluster with the given endpoint. */
    public static TestGateway simple(String endpoint) throws Exception {
        return start("""
                access_log: { enabled: false }
                server:
                  event_loops: ${LOOPS:-2}
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                routes:
                  - name: all
                    match: { path_prefix: / }
                    cluster: backend
                    timeout: 2s
                clusters:
                  - name: backend
                    endpoints: [ "${ORIGIN}" ]
                """, Map.of("ORIGIN", endpoint));
    }

    /**
     * A config with the access log off, {@code ${LOOPS:-2}} event loops, listener {@code public} on port 0, and the
     * given {@code routes} and {@code clusters} (YAML list items, indented as under their keys).
     */
    public static String yaml(String routes, String clusters) {
        return """
                access_log: { enabled: false }
                server:
                  event_loops: ${LOOPS:-2}
                listeners: [ { name: public, address: "127.0.0.1:0" } ]
                routes:
                """ + routes + "clusters:\n" + clusters;
    }

    /**
     * {@link #yaml} with one catch-all route {@code all} (plus {@code routeExtra}, lines indented as its fields) to
     * one cluster {@code api} ({@code clusterFields}, indented as its fields).
     */
    public static String oneCluster(String routeExtra, String clusterFields) {
        return yaml("""
                  - name: all
                    match: { path_prefix: / }
                    cluster: api
                """ + routeExtra, "  - name: api\n" + clusterFields);
    }

    public Gateway gateway() {
        return gateway;
    }

    public int port() {
        return gateway.port("public");
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
    }

    public HttpResponse<String> get(String pathAndQuery) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpClient client() {
        return client;
    }

    @Override
    public void close() {
        gateway.close();
    }
}
