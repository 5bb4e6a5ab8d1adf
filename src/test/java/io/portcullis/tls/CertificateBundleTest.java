package io.portcullis.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.testing.TestCertificates;
import io.portcullis.testing.TestCertificates.Authority;
import io.portcullis.testing.TestCertificates.Issued;
import io.portcullis.testing.TestCertificates.KeyFormat;
import io.portcullis.testing.TestCertificates.KeyType;
import java.io.IOException;
import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CertificateBundleTest {
    private static final Clock NOW = Clock.systemUTC();
    private static Authority root;
    private static Authority intermediate;

    @TempDir
    Path dir;

    @BeforeAll
    static void authorities() {
        root = TestCertificates.rootCa("Test Root", KeyType.RSA);
        intermediate = root.intermediate("Test Intermediate", KeyType.EC);
    }

    @ParameterizedTest(name = "{0} key as {1}")
    @CsvSource({"RSA, PKCS8, PRIVATE KEY", "RSA, TRADITIONAL, RSA PRIVATE KEY", "EC, PKCS8, PRIVATE KEY",
            "EC, TRADITIONAL, EC PRIVATE KEY"})
    void loadsChainAndKeyInEachFormat(KeyType type, KeyFormat format, String pemLabel) throws Exception {
        Issued leaf = intermediate.issue(type, "a.example.com", "*.Example.org");
        Path crt = leaf.writeChain(dir.resolve("server.crt"));
        Path key = leaf.writeKey(dir.resolve("server.key"), format);
        assertThat(Files.readString(key)).startsWith("-----BEGIN " + pemLabel + "-----");

        CertificateBundle bundle = CertificateBundle.load(crt, key, NOW);

        assertThat(bundle.chain()).containsExactly(leaf.certificate(), intermediate.certificate());
        assertThat(bundle.leaf()).isEqualTo(leaf.certificate());
        assertThat(bundle.privateKey().getAlgorithm()).isEqualTo(type.name());
        assertThat(secret(bundle.privateKey())).isEqualTo(secret(leaf.keys().getPrivate()));
        assertThat(bundle.dnsNames()).containsExactly("a.example.com", "*.example.org");
        assertThat(bundle.notAfter()).isEqualTo(leaf.certificate().getNotAfter().toInstant());
        assertThat(bundle.certificateFile()).isEqualTo(crt);
        assertThat(bundle.privateKeyFile()).isEqualTo(key);
    }

    @Test
    void commonNameWhenThereAreNoSans() throws Exception {
        Issued leaf = root.issue(KeyType.EC, Instant.now().minus(Duration.ofHours(1)),
                Instant.now().plus(Duration.ofDays(1)), "O=Portcullis,CN=Legacy.Example.com", List.of());
        CertificateBundle bundle = load(leaf, KeyFormat.PKCS8);
        assertThat(bundle.dnsNames()).containsExactly("legacy.example.com");
    }

    @Test
    void skipsEcParametersBlockBeforeSec1Key() throws Exception {
        Issued leaf = root.issue(KeyType.EC, "ec.example.com");
        Path crt = leaf.writeChain(dir.resolve("ec.crt"));
        Path key = leaf.writeKey(dir.resolve("ec.key"), KeyFormat.TRADITIONAL);
        // `openssl ecparam -genkey` output: the curve as its own block, then the key.
        Files.writeString(key, "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
                + Files.readString(key));
        assertThat(CertificateBundle.load(crt, key, NOW).dnsNames()).containsExactly("ec.example.com");
    }

    @Test
    void keyOfAnotherCertificateIsRefused() {
        Issued mine = root.issue(KeyType.RSA, "a.example.com");
        Issued other = root.issue(KeyType.RSA, "a.example.com");
        Path crt = mine.writeChain(dir.resolve("server.crt"));
        Path key = other.writeKey(dir.resolve("server.key"), KeyFormat.PKCS8);
        assertThatThrownBy(() -> CertificateBundle.load(crt, key, NOW))
                .isInstanceOf(TlsConfigException.class)
                .hasMessage(key + ": private key does not match the certificate in " + crt)
                .extracting(e -> ((TlsConfigException) e).file()).isEqualTo(key);
    }

    @Test
    void keyOfAnotherAlgorithmIsRefused() {
        Issued mine = root.issue(KeyType.RSA, "a.example.com");
        Issued other = root.issue(KeyType.EC, "a.example.com");
        Path crt = mine.writeChain(dir.resolve("server.crt"));
        Path key = other.writeKey(dir.resolve("server.key"), KeyFormat.TRADITIONAL);
        assertThatThrownBy(() -> CertificateBundle.load(crt, key, NOW))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageStartingWith(key + ": private key does not match the certificate in " + crt)
                .hasMessageContaining("EC key, RSA certificate");
    }

    @Test
    void expiredLeafIsRefusedByTheInjectedClock() throws Exception {
        Issued leaf = root.issue(KeyType.EC, "a.example.com");
        Path crt = leaf.writeChain(dir.resolve("server.crt"));
        Path key = leaf.writeKey(dir.resolve("server.key"), KeyFormat.PKCS8);
        Instant notAfter = leaf.certificate().getNotAfter().toInstant();

        assertThat(CertificateBundle.load(crt, key, Clock.fixed(notAfter, ZoneOffset.UTC)).notAfter())
                .isEqualTo(notAfter);
        assertThatThrownBy(() -> CertificateBundle.load(crt, key, Clock.fixed(notAfter.plusSeconds(1),
                ZoneOffset.UTC)))
                .isInstanceOf(TlsConfigException.class)
                .hasMessage(crt + ": certificate expired at " + notAfter);
    }

    @Test
    void expiredAndNotYetValidLeavesAreRefusedNow() {
        Instant now = Instant.now();
        Issued expired = root.issue(KeyType.RSA, now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1)),
                "CN=old.example.com", List.of("old.example.com"));
        assertThatThrownBy(() -> load(expired, KeyFormat.PKCS8))
                .isInstanceOf(TlsConfigException.class).hasMessageContaining("server.crt: certificate expired at");

        Issued early = root.issue(KeyType.RSA, now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(10)),
                "CN=new.example.com", List.of("new.example.com"));
        assertThatThrownBy(() -> load(early, KeyFormat.PKCS8))
                .isInstanceOf(TlsConfigException.class).hasMessageContaining("server.crt: certificate not valid before");
    }

    @Test
    void chainOutOfOrderIsRefused() {
        Issued leaf = intermediate.issue(KeyType.RSA, "a.example.com");
        Path crt = TestCertificates.writePem(dir.resolve("server.crt"), intermediate.certificate(), leaf.certificate());
        Path key = leaf.writeKey(dir.resolve("server.key"), KeyFormat.PKCS8);
        assertThatThrownBy(() -> CertificateBundle.load(crt, key, NOW))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageStartingWith(crt + ": certificate 1 (CN=Test Intermediate) is not signed by certificate 2");
    }

    @Test
    void missingFilesAreNamed() {
        Issued leaf = root.issue(KeyType.RSA, "a.example.com");
        Path crt = leaf.writeChain(dir.resolve("server.crt"));
        Path key = leaf.writeKey(dir.resolve("server.key"), KeyFormat.PKCS8);
        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> CertificateBundle.load(missing, key, NOW))
                .isInstanceOf(TlsConfigException.class).hasMessage(missing + ": file not found");
        assertThatThrownBy(() -> CertificateBundle.load(crt, missing, NOW))
                .isInstanceOf(TlsConfigException.class).hasMessage(missing + ": file not found");
    }

    @Test
    void unreadableFilesAreNamed() throws IOException {
        Issued leaf = root.issue(KeyType.RSA, "a.example.com");
        Path crt = leaf.writeChain(dir.resolve("server.crt"));
        Path directory = Files.createDirectory(dir.resolve("server.key"));
        assertThatThrownBy(() -> CertificateBundle.load(crt, directory, NOW))
                .isInstanceOf(TlsConfigException.class).hasMessageStartingWith(directory + ": cannot read file");

    }

    @Test
    void garbageIsRefusedNamingTheFile() throws IOException {
        Issued leaf = root.issue(KeyType.RSA, "a.example.com");
        Path crt = leaf.writeChain(dir.resolve("server.crt"));
        Path key = leaf.writeKey(dir.resolve("server.key"), KeyFormat.PKCS8);

        Path binary = Files.write(dir.resolve("binary.pem"), new byte[] {0, (byte) 0xff, 0x30, (byte) 0x82, 1});
        assertThatThrownBy(() -> CertificateBundle.load(binary, key, NOW))
                .isInstanceOf(TlsConfigException.class)
                .hasMessage(binary + ": no PEM block (-----BEGIN ...-----) found");

        Path badBase64 = write("bad64.key", "-----BEGIN PRIVATE KEY-----\n@@not base64@@\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> CertificateBundle.load(crt, badBase64, NOW))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageStartingWith(badBase64 + ": bad base64 in the PRIVATE KEY block");

        Path notDer = write("notder.key", "-----BEGIN RSA PRIVATE KEY-----\nAAECAwQF\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> CertificateBundle.load(crt, notDer, NOW))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageStartingWith(notDer + ": the RSA PRIVATE KEY block is not a valid key");

        Path truncatedCert = write("truncated.crt", "-----BEGIN CERTIFICATE-----\nMIIBojCCAUmgAwIBAgIU\n"
                + "-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> CertificateBundle.load(truncatedCert, key, NOW))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageStartingWith(truncatedCert + ": certificate 1 is not a valid X.509 certificate");

        assertThatThrownBy(() -> CertificateBundle.load(key, key, NOW))
                .isInstanceOf(TlsConfigException.class).hasMessage(key + ": no CERTIFICATE block found");
        assertThatThrownBy(() -> CertificateBundle.load(crt, crt, NOW))
                .isInstanceOf(TlsConfigException.class)
                .hasMessage(crt + ": no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block found");

        Path encrypted = write("enc.key", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAEC\n"
                + "-----END ENCRYPTED PRIVATE KEY-----\n");
        assertThatThrownBy(() -> CertificateBundle.load(crt, encrypted, NOW))
                .isInstanceOf(TlsConfigException.class)
                .hasMessage(encrypted + ": encrypted private keys are not supported");
    }

    /** The private scalar or exponent; SEC1 re-wrapped as PKCS#8 keeps curve and public key, so encodings differ. */
    private static BigInteger secret(PrivateKey key) {
        return key instanceof ECPrivateKey ec ? ec.getS() : ((RSAPrivateKey) key).getPrivateExponent();
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.US_ASCII);
    }

    private CertificateBundle load(Issued leaf, KeyFormat format) throws TlsConfigException {
        return CertificateBundle.load(leaf.writeChain(dir.resolve("server.crt")),
                leaf.writeKey(dir.resolve("server.key"), format), NOW);
    }
}
