package io.portcullis.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.ReferenceCountUtil;
import io.portcullis.testing.TestBackend;
import io.portcullis.testing.TestCertificates;
import io.portcullis.testing.TestCertificates.KeyFormat;
import io.portcullis.testing.TestCertificates.KeyType;
import io.portcullis.testing.TestGateway;
import io.portcullis.testing.TlsFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS from the gateway to HTTP/1.1 clusters: trust, hostname verification, SNI and client certificates. */
class UpstreamTlsTest {
    @TempDir
    static Path dir;
    static TlsFixture tls;
    TestBackend backend;
    TestGateway gateway;
    SslContext backendTls;

    @BeforeAll
    static void certificates() {
        tls = new TlsFixture(dir);
    }

    @AfterEach
    void close() {
        if (gateway != null) {
            gateway.close();
        }
        if (backend != null) {
            backend.close();
        }
        ReferenceCountUtil.release(backendTls);
    }

    private void backend(boolean requireClientCert) throws Exception {
        SslContextBuilder b = SslContextBuilder.forServer(tls.serverCert.toFile(), tls.serverKey.toFile());
        if (requireClientCert) {
            b.clientAuth(ClientAuth.REQUIRE).trustManager(tls.caFile.toFile());
        }
        backendTls = b.build();
        backend = new TestBackend("secure", 0, backendTls);
    }

    private void gateway(String tlsFields) throws Exception {
        gateway = TestGateway.start(TestGateway.oneCluster("", """
                    endpoints: [ "${ORIGIN}" ]
                    tls: %s
                """.formatted(tlsFields)), Map.of("ORIGIN", "localhost:" + backend.port()));
    }

    @Test
    void trustedBackendIsReachedOverTlsWithItsHostNameVerified() throws Exception {
        backend(false);
        gateway("{ ca: \"" + tls.caFile + "\" }");
        HttpResponse<String> r = gateway.get("/over-tls");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("secure GET /over-tls body=0");
        assertThat(backend.clientSubjects()).containsOnly("(none)");
    }

    @Test
    void backendSignedByAnUnknownCaIsRefused() throws Exception {
        backend(false);
        Path otherCa = TestCertificates.writePem(dir.resolve("other-ca.pem"),
                TestCertificates.rootCa("Other CA", KeyType.RSA).certificate());
        gateway("{ ca: \"" + otherCa + "\" }");
        HttpResponse<String> r = gateway.get("/x");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.body()).contains("UPSTREAM_CONNECT_FAILED");
        assertThat(backend.requestCount()).isZero();
    }

    @Test
    void wrongServerNameFailsVerificationUnlessVerificationIsOff() throws Exception {
        backend(false);
        gateway("{ ca: \"" + tls.caFile + "\", server_name: other.test }");
        assertThat(gateway.get("/x").statusCode()).isEqualTo(502);
        gateway.close();
        gateway("{ ca: \"" + tls.caFile + "\", server_name: other.test, verify_hostname: false }");
        assertThat(gateway.get("/x").statusCode()).isEqualTo(200);
    }

    @Test
    void clientCertificateIsPresentedToABackendThatRequiresOne() throws Exception {
        backend(true);
        gateway("{ ca: \"" + tls.caFile + "\" }");
        assertThat(gateway.get("/x").statusCode()).as("no client certificate").isEqualTo(502);
        gateway.close();
        TestCertificates.Issued gatewayIdentity = tls.ca.issue(KeyType.EC, "gateway.test");
        Path cert = gatewayIdentity.writeChain(dir.resolve("gw.pem"));
        Path key = gatewayIdentity.writeKey(dir.resolve("gw.key"), KeyFormat.PKCS8);
        gateway("{ ca: \"" + tls.caFile + "\", cert: \"" + cert + "\", key: \"" + key + "\" }");
        HttpResponse<String> r = gateway.get("/mtls");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(backend.clientSubjects()).contains(
                gatewayIdentity.certificate().getSubjectX500Principal().getName());
    }
}
