package io.portcullis.testing;

import io.portcullis.testing.TestCertificates.Authority;
import io.portcullis.testing.TestCertificates.Issued;
import io.portcullis.testing.TestCertificates.KeyFormat;
import io.portcullis.testing.TestCertificates.KeyType;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates for one TLS test, minted at test time and written to {@code dir}: a CA, a server certificate for
 * {@code localhost} and {@code 127.0.0.1}, and a client certificate; plus JDK clients that trust the CA.
 */
public final class TlsFixture {
    public final Authority ca;
    public final Path caFile;
    public final Issued server;
    public final Path serverCert;
    public final Path serverKey;
    public final Issued client;
    public final Path clientCert;
    public final Path clientKey;

    public TlsFixture(Path dir) {
        ca = TestCertificates.rootCa("Portcullis Test CA", KeyType.EC);
        caFile = TestCertificates.writePem(dir.resolve("ca.pem"), ca.certificate());
        server = ca.issue(KeyType.EC, "localhost", "127.0.0.1");
        serverCert = server.writeChain(dir.resolve("server.pem"));
        serverKey = server.writeKey(dir.resolve("server.key"), KeyFormat.PKCS8);
        client = ca.issue(KeyType.RSA, "client.test", "spiffe://test/client");
        clientCert = client.writeChain(dir.resolve("client.pem"));
        clientKey = client.writeKey(dir.resolve("client.key"), KeyFormat.TRADITIONAL);
    }

    /** The YAML {@code tls:} block of a listener serving the server certificate (indented for a listener item). */
    public String listenerTls(String extra) {
        return "    tls:\n"
                + "      certificates:\n"
                + "        - { cert: \"" + serverCert + "\", key: \"" + serverKey + "\" }\n"
                + extra;
    }

    /** An SSL context trusting the CA, presenting {@code identity} (null: no client certificate). */
    public SSLContext sslContext(Issued identity) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca.certificate());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (identity != null) {
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("client", identity.keys().getPrivate(), new char[0],
                        identity.chain().toArray(new X509Certificate[0]));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, new char[0]);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JDK client for {@code https://localhost:port} speaking {@code version}, optionally with a client cert. */
    public HttpClient client(HttpClient.Version version, Issued identity) {
        return HttpClient.newBuilder().version(version).sslContext(sslContext(identity))
                .connectTimeout(Duration.ofSeconds(5)).build();
    }
}
