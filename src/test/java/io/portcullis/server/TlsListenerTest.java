package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.testing.TestBackend;
import io.portcullis.testing.TestCertificates;
import io.portcullis.testing.TestCertificates.KeyFormat;
import io.portcullis.testing.TestCertificates.KeyType;
import io.portcullis.testing.TestGateway;
import io.portcullis.testing.TlsFixture;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS termination on listeners, end to end: real certificates, real JDK and OpenSSL clients, a real backend. */
class TlsListenerTest {
    @TempDir
    static Path dir;
    static TlsFixture tls;
    TestBackend backend;
    TestGateway gateway;

    @BeforeAll
    static void certificates() {
        tls = new TlsFixture(dir);
    }

    @BeforeEach
    void backend() throws Exception {
        backend = new TestBackend("backend");
    }

    @AfterEach
    void close() {
        if (gateway != null) {
            gateway.close();
        }
        backend.close();
    }

    private void start(String listenerFields) throws Exception {
        gateway = TestGateway.start("""
                access_log: { enabled: false }
                server:
                  event_loops: ${LOOPS:-2}
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                """ + listenerFields + """
                routes:
                  - name: all
                    match: { path_prefix: / }
                    cluster: api
                clusters:
                  - name: api
                    endpoints: [ "${ORIGIN}" ]
                """, Map.of("ORIGIN", backend.address()));
    }

    private URI https(String path) {
        return URI.create("https://localhost:" + gateway.port() + path);
    }

    private static HttpResponse<String> send(HttpClient client, HttpRequest.Builder request) throws Exception {
        return client.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void http11OverTlsIsProxiedWithForwardedProtoAndHsts() throws Exception {
        start(tls.listenerTls("      hsts: { max_age: 1h, include_subdomains: true }\n"));
        HttpResponse<String> r = send(tls.client(HttpClient.Version.HTTP_1_1, null),
                HttpRequest.newBuilder(https("/hello")));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(r.body()).isEqualTo("backend GET /hello body=0");
        assertThat(r.headers().firstValue("strict-transport-security")).hasValue("max-age=3600; includeSubDomains");
        assertThat(backend.lastRequest().header("x-forwarded-proto")).isEqualTo("https");
    }

    @Test
    void http2ByAlpnMapsToHttp11Upstream() throws Exception {
        start(tls.listenerTls(""));
        HttpClient client = tls.client(HttpClient.Version.HTTP_2, null);
        HttpResponse<String> r = send(client, HttpRequest.newBuilder(https("/h2?x=1"))
                .header("cookie", "a=1").header("cookie", "b=2").header("x-custom", "v"));
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("backend GET /h2?x=1 body=0");
        TestBackend.Recorded seen = backend.lastRequest();
        assertThat(seen.version()).isEqualTo("HTTP/1.1");
        assertThat(seen.header("host")).isEqualTo("localhost:" + gateway.port());
        assertThat(seen.header("cookie")).isEqualTo("a=1; b=2");
        assertThat(seen.header("x-custom")).isEqualTo("v");
        assertThat(seen.header("x-forwarded-proto")).isEqualTo("https");
        assertThat(seen.headers()).noneMatch(h -> h.getKey().startsWith("x-http2-") || h.getKey().startsWith(":"));

        byte[] body = new byte[300_000];
        HttpResponse<String> post = send(client, HttpRequest.newBuilder(https("/upload"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertThat(post.body()).isEqualTo("backend POST /upload body=300000");
        // An unknown length (no content-length) arrives chunked at the HTTP/1.1 backend.
        HttpResponse<String> streamed = send(client, HttpRequest.newBuilder(https("/stream"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))));
        assertThat(streamed.body()).isEqualTo("backend POST /stream body=300000");
        HttpResponse<byte[]> big = client.send(HttpRequest.newBuilder(https("/bytes?n=2000000"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(big.body()).hasSize(2_000_000);
    }

    @Test
    void manyConcurrentStreamsOnOneConnection() throws Exception {
        start(tls.listenerTls(""));
        HttpClient client = tls.client(HttpClient.Version.HTTP_2, null);
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> all = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            all.add(client.sendAsync(HttpRequest.newBuilder(https("/delay?ms=50&i=" + i))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (var f : all) {
            HttpResponse<String> r = f.get(10, TimeUnit.SECONDS);
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(r.body()).isEqualTo("delayed 50");
        }
    }

    @Test
    void requiredClientCertificateIsVerifiedAndForwarded() throws Exception {
        start(tls.listenerTls("""
                      client_auth: require
                      client_ca: "%s"
                      client_cert_header: x-client-cert
                """.formatted(tls.caFile)));
        assertThatThrownBy(() -> send(tls.client(HttpClient.Version.HTTP_1_1, null),
                HttpRequest.newBuilder(https("/"))))
                .isInstanceOf(IOException.class);
        HttpResponse<String> r = send(tls.client(HttpClient.Version.HTTP_2, tls.client),
                HttpRequest.newBuilder(https("/who")).header("x-client-cert", "Hash=forged")
                        .header("x-forwarded-client-cert", "Hash=forged-too"));
        assertThat(r.statusCode()).isEqualTo(200);
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(tls.client.certificate().getEncoded()));
        TestBackend.Recorded seen = backend.lastRequest();
        assertThat(seen.all("x-client-cert")).containsExactly("Hash=" + sha256 + ";Subject=\""
                + tls.client.certificate().getSubjectX500Principal().getName()
                + "\";URI=spiffe://test/client;DNS=client.test");
        assertThat(seen.all("x-forwarded-client-cert")).isEmpty();
    }

    @Test
    void optionalClientCertificateLetsAnonymousClientsInButNeverTheirForgedHeader() throws Exception {
        start(tls.listenerTls("""
                      client_auth: optional
                      client_ca: "%s"
                      client_cert_header: x-client-cert
                """.formatted(tls.caFile)));
        HttpResponse<String> r = send(tls.client(HttpClient.Version.HTTP_1_1, null),
                HttpRequest.newBuilder(https("/anon")).header("x-client-cert", "Hash=forged"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(backend.lastRequest().all("x-client-cert")).isEmpty();
        send(tls.client(HttpClient.Version.HTTP_1_1, tls.client), HttpRequest.newBuilder(https("/known")));
        assertThat(backend.lastRequest().header("x-client-cert")).contains("URI=spiffe://test/client");
    }

    @Test
    void sniSelectsTheCertificateByExactAndWildcardName() throws Exception {
        TestCertificates.Issued wildcard = tls.ca.issue(KeyType.RSA, "*.example.test");
        Path cert = wildcard.writeChain(dir.resolve("wild.pem"));
        Path key = wildcard.writeKey(dir.resolve("wild.key"), KeyFormat.TRADITIONAL);
        start(tls.listenerTls("        - { cert: \"" + cert + "\", key: \"" + key + "\" }\n"));
        assertThat(peer("api.example.test")).isEqualTo(wildcard.certificate());
        assertThat(peer("localhost")).isEqualTo(tls.server.certificate());
        assertThat(peer("unknown.test")).isEqualTo(tls.server.certificate()); // the default
    }

    private X509Certificate peer(String sni) throws Exception {
        javax.net.ssl.SSLContext context = tls.sslContext(null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", gateway.port())) {
            SSLParameters params = socket.getSSLParameters();
            params.setServerNames(List.of(new SNIHostName(sni)));
            socket.setSSLParameters(params);
            socket.setSoTimeout(5000);
            try {
                socket.startHandshake();
            } catch (javax.net.ssl.SSLHandshakeException e) {
                // the JDK client checks the name too; the certificate it saw is what matters here
            }
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    @Test
    void certificateFilesReplacedOnDiskServeNewHandshakesWhileOpenConnectionsKeepWorking() throws Exception {
        Path cert = dir.resolve("rotating.pem");
        Path key = dir.resolve("rotating.key");
        TestCertificates.Issued first = tls.ca.issue(KeyType.EC, "localhost");
        first.writeChain(cert);
        first.writeKey(key, KeyFormat.PKCS8);
        start("""
                    tls:
                      certificates: [ { cert: "%s", key: "%s" } ]
                      reload_interval: 200ms
                """.formatted(cert, key));
        HttpClient before = tls.client(HttpClient.Version.HTTP_2, null);
        assertThat(send(before, HttpRequest.newBuilder(https("/a"))).statusCode()).isEqualTo(200);
        assertThat(peer("localhost")).isEqualTo(first.certificate());
        assertThat(expiryMetric()).isEqualTo(first.certificate().getNotAfter().toInstant().getEpochSecond());

        TestCertificates.Issued second = tls.ca.issue(KeyType.RSA, "localhost");
        second.writeKey(key, KeyFormat.PKCS8);
        second.writeChain(cert);
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(peer("localhost")).isEqualTo(second.certificate()));
        // The HTTP/2 connection opened before the swap still carries requests.
        assertThat(send(before, HttpRequest.newBuilder(https("/b"))).statusCode()).isEqualTo(200);
        assertThat(expiryMetric()).isEqualTo(second.certificate().getNotAfter().toInstant().getEpochSecond());

        Files.writeString(cert, "broken");
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(gateway.gateway().metrics().scrape()).contains(
                        "portcullis_tls_certificate_reloads_total{listener=\"public\",result=\"failure\"} 1"));
        assertThat(peer("localhost")).as("the broken file is refused; the last good one stays")
                .isEqualTo(second.certificate());
    }

    private long expiryMetric() {
        String scrape = gateway.gateway().metrics().scrape();
        Matcher m = Pattern.compile(
                "portcullis_tls_certificate_expiry_seconds\\{[^}]*listener=\"public\"[^}]*} ([0-9.E]+)")
                .matcher(scrape);
        assertThat(m.find()).as(scrape).isTrue();
        return (long) Double.parseDouble(m.group(1));
    }

    @Test
    void http2PathLongerThanTheRequestLineLimitGets414() throws Exception {
        start(tls.listenerTls(""));
        HttpResponse<String> r = send(tls.client(HttpClient.Version.HTTP_2, null),
                HttpRequest.newBuilder(https("/" + "a".repeat(9000))));
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.statusCode()).isEqualTo(414);
        assertThat(backend.requestCount()).isZero();
    }

    @Test
    void drainLetsHttp2StreamsInFlightFinish() throws Exception {
        start(tls.listenerTls(""));
        HttpClient client = tls.client(HttpClient.Version.HTTP_2, null);
        assertThat(send(client, HttpRequest.newBuilder(https("/warm"))).version())
                .isEqualTo(HttpClient.Version.HTTP_2);
        java.util.concurrent.CompletableFuture<HttpResponse<String>> slow = client.sendAsync(
                HttpRequest.newBuilder(https("/delay?ms=700")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                gateway.gateway().clusters().get("api").endpoints().get(0).activeRequests() == 1);
        long start = System.nanoTime();
        assertThat(gateway.gateway().drain(Duration.ofSeconds(5))).as("drained cleanly").isTrue();
        assertThat(slow.get(5, TimeUnit.SECONDS).body()).isEqualTo("delayed 700");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void tlsSessionsResumeWithTickets() throws Exception {
        start(tls.listenerTls(""));
        Path session = dir.resolve("session-" + System.nanoTime() + ".pem");
        assertThat(sClient("-sess_out", session.toString())).contains("New, TLSv1.3");
        assertThat(sClient("-sess_in", session.toString())).as("a second connection resumes the session")
                .contains("Reused, TLSv1.3");
    }

    /** One request through {@code openssl s_client} (TLS 1.3), returning what it printed. */
    private String sClient(String... extra) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("openssl", "s_client", "-connect",
                "127.0.0.1:" + gateway.port(), "-servername", "localhost", "-tls1_3", "-CAfile",
                tls.caFile.toString()));
        command.addAll(List.of(extra));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().write("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes());
        p.getOutputStream().flush();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void oldProtocolVersionsAreRefused() throws Exception {
        start(tls.listenerTls("      protocols: [TLSv1.3]\n"));
        assertThat(openssl("-tls1_3")).as("TLS 1.3 handshake").isZero();
        assertThat(openssl("-tls1_2")).as("TLS 1.2 refused on a 1.3-only listener").isNotZero();
        assertThat(openssl("-tls1_1")).as("TLS 1.1 refused").isNotZero();
    }

    /** Runs {@code openssl s_client} against the gateway; returns its exit status (0: handshake done). */
    private int openssl(String version) throws Exception {
        Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + gateway.port(), version,
                "-servername", "localhost", "-CAfile", tls.caFile.toString(), "-verify_return_error", "-brief")
                .redirectErrorStream(true).start();
        p.getOutputStream().close(); // EOF on stdin: s_client quits after the handshake
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    @Test
    void redirectListenerAnswers308ToHttps() throws Exception {
        start("    redirect_https: { port: 8443 }\n");
        HttpResponse<String> r = gateway.client().send(HttpRequest.newBuilder(gateway.uri("/a/b?c=1"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(308);
        assertThat(r.headers().firstValue("location")).hasValue("https://127.0.0.1:8443/a/b?c=1");
        assertThat(backend.requestCount()).isZero();
    }
}
