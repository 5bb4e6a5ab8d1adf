package io.portcullis.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.RawClient;
import io.portcullis.testing.TestBackend;
import io.portcullis.testing.TestGateway;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HTTP/1.1 clients to an h2c cluster: mapping both ways, trailers, and streams multiplexed on few connections. */
class Http2UpstreamTest {
    TestBackend backend;
    TestGateway gateway;

    @BeforeEach
    void backend() throws Exception {
        backend = TestBackend.h2c("h2");
    }

    @AfterEach
    void close() {
        if (gateway != null) {
            gateway.close();
        }
        backend.close();
    }

    /** One event loop, so connection counts at the backend are exact. */
    private void start(String clusterFields) throws Exception {
        gateway = TestGateway.start("""
                access_log: { enabled: false }
                server:
                  event_loops: 1
                listeners: [ { name: public, address: "127.0.0.1:0" } ]
                routes:
                  - name: all
                    match: { path_prefix: / }
                    cluster: api
                clusters:
                  - name: api
                    endpoints: [ "${ORIGIN}" ]
                    protocol: h2c
                """ + clusterFields, Map.of("ORIGIN", backend.address()));
    }

    @Test
    void http11RequestsAreCarriedAsHttp2Streams() throws Exception {
        start("");
        HttpResponse<String> r = gateway.get("/hello?x=1");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("h2 GET /hello?x=1 body=0");
        TestBackend.Recorded seen = backend.lastRequest();
        assertThat(seen.header("host")).isEqualTo("127.0.0.1:" + gateway.port());
        assertThat(seen.header("x-forwarded-proto")).isEqualTo("http");
        assertThat(seen.header("x-http2-scheme")).isEqualTo("http"); // what Netty's codec reports of :scheme

        HttpResponse<String> post = gateway.client().send(HttpRequest.newBuilder(gateway.uri("/upload"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[200_000])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.body()).isEqualTo("h2 POST /upload body=200000");
        HttpResponse<byte[]> big = gateway.client().send(HttpRequest.newBuilder(gateway.uri("/bytes?n=3000000"))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(big.body()).hasSize(3_000_000);
    }

    @Test
    void responseTrailersOfAnHttp2BackendReachAnHttp11ClientAsChunkedTrailers() throws Exception {
        start("");
        String raw = RawClient.exchange(gateway.port(),
                "GET /trailers HTTP/1.1\r\nHost: x\r\nTE: trailers\r\nConnection: close\r\n\r\n");
        assertThat(raw).startsWith("HTTP/1.1 200");
        assertThat(raw.toLowerCase()).contains("transfer-encoding: chunked");
        assertThat(raw).contains("part1").contains("part2");
        assertThat(raw.toLowerCase()).contains("\r\nx-checksum: abc123\r\n");
    }

    @Test
    void concurrentRequestsShareOneConnectionAsStreams() throws Exception {
        start("");
        assertThat(concurrent(20)).allMatch(body -> body.equals("delayed 300"));
        assertThat(backend.connectionCount()).isEqualTo(1);
    }

    @Test
    void theStreamLimitPerConnectionOpensMoreConnections() throws Exception {
        start("    max_streams_per_connection: 4\n");
        assertThat(concurrent(12)).allMatch(body -> body.equals("delayed 300"));
        assertThat(backend.connectionCount()).isEqualTo(3);
    }

    private List<String> concurrent(int n) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(client.sendAsync(HttpRequest.newBuilder(gateway.uri("/delay?ms=300&i=" + i))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        List<String> bodies = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> f : all) {
            bodies.add(f.get(10, TimeUnit.SECONDS).body());
        }
        return bodies;
    }
}
