package io.portcullis.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.TestBackend;
import io.portcullis.testing.TestCertificates;
import io.portcullis.testing.TestCertificates.KeyType;
import io.portcullis.testing.TestGateway;
import io.portcullis.testing.TlsFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** mTLS as a way to authenticate: a verified client certificate maps to a consumer with roles. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CertificateAuthTest {
    @TempDir
    Path dir;
    private TestBackend backend;
    private TestGateway gw;

    @AfterEach
    void close() {
        if (gw != null) {
            gw.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void aMappedCertificateAuthenticatesAnUnmappedOneIsRefusedAndNoneAsksForCredentials() throws Exception {
        TlsFixture tls = new TlsFixture(dir);
        TestCertificates.Issued stranger = tls.ca.issue(KeyType.EC, "stranger.test");
        backend = new TestBackend("b");
        gw = TestGateway.start("""
                access_log: { enabled: false }
                server:
                  event_loops: ${LOOPS:-2}
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                """ + tls.listenerTls("""
                      client_auth: optional
                      client_ca: "%s"
                """.formatted(tls.caFile)) + """
                    security: { require_auth: true, auth: [ mtls ] }
                security:
                  client_certificates:
                    - { uri: "spiffe://test/client", consumer: billing-svc, roles: [ internal ] }
                routes:
                  - name: internal
                    match: { path_prefix: /internal }
                    cluster: api
                    security: { authorize: { roles: { any_of: [ internal ] }, consumers: [ billing-svc ] } }
                  - name: health
                    match: { path: /health }
                    cluster: api
                    security: { public: true }
                  - name: upload
                    match: { path: /upload }
                    cluster: api
                    security: { validate: { max_json_depth: 4, content_types: [ application/json ] } }
                clusters:
                  - name: api
                    endpoints: [ "${B}" ]
                """, Map.of("B", backend.address()));

        HttpResponse<String> known = send(tls.client(HttpClient.Version.HTTP_2, tls.client), "/internal/x");
        assertThat(known.statusCode()).isEqualTo(200);
        assertThat(backend.lastRequest().header("x-consumer")).isEqualTo("billing-svc");

        HttpResponse<String> unmapped = send(tls.client(HttpClient.Version.HTTP_1_1, stranger), "/internal/x");
        assertThat(unmapped.statusCode()).isEqualTo(401);
        assertThat(unmapped.body()).contains("UNKNOWN_CLIENT_CERTIFICATE");
        HttpResponse<String> anonymous = send(tls.client(HttpClient.Version.HTTP_1_1, null), "/internal/x");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.body()).contains("MISSING_CREDENTIALS");
        // The listener requires authentication, but a route marked public does not.
        assertThat(send(tls.client(HttpClient.Version.HTTP_1_1, null), "/health").statusCode()).isEqualTo(200);
        assertThat(backend.requestCount()).isEqualTo(2);

        // Over HTTP/2, a body the filters read in full still reaches the backend whole, and a bad one is refused.
        HttpClient h2 = tls.client(HttpClient.Version.HTTP_2, tls.client);
        String body = "{\"items\":[" + "{\"n\":1},".repeat(3000) + "{\"n\":2}]}";
        HttpResponse<String> ok = h2.send(HttpRequest.newBuilder(URI.create("https://localhost:" + gw.port()
                + "/upload")).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(backend.lastRequest().bodyBytes()).isEqualTo(body.length());
        HttpResponse<String> deep = h2.send(HttpRequest.newBuilder(URI.create("https://localhost:" + gw.port()
                + "/upload")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("[[[[[[1]]]]]]")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(deep.statusCode()).isEqualTo(400);
        assertThat(deep.body()).contains("BODY_TOO_DEEP");
        assertThat(backend.requestCount()).isEqualTo(3);
    }

    private HttpResponse<String> send(HttpClient client, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + gw.port() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
