package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.groups.Tuple.tuple;

import io.portcullis.testing.TestCertificates;
import io.portcullis.testing.TestCertificates.Issued;
import io.portcullis.testing.TestCertificates.KeyFormat;
import io.portcullis.testing.TestCertificates.KeyType;
import io.portcullis.testing.TlsFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad TLS settings are refused like every other field: file, line, and a reason naming the file at fault. */
class TlsConfigErrorsTest {
    @TempDir
    static Path dir;
    static TlsFixture tls;

    private final ConfigLoader loader = new ConfigLoader(name -> null);

    @BeforeAll
    static void certificates() {
        tls = new TlsFixture(dir);
    }

    private List<ConfigError> errors(String yaml) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.parse(yaml, "tls.yaml", dir));
        assertThat(e).as("expected the configuration to be rejected").isNotNull();
        return e.errors();
    }

    private static String listener(String tlsBlock) {
        return """
                listeners:
                  - name: https
                    address: 127.0.0.1:0
                """ + tlsBlock + """
                routes:
                  - name: all
                    match: { path_prefix: / }
                    cluster: api
                clusters:
                  - name: api
                    endpoints: [ "127.0.0.1:9000" ]
                """;
    }

    @Test
    void missingExpiredMismatchedAndUnreadableFilesAreNamedAtTheirLines() throws Exception {
        Issued expired = tls.ca.issue(KeyType.EC, Instant.now().minus(Duration.ofDays(10)),
                Instant.now().minus(Duration.ofDays(1)), "CN=old", List.of("old.test"));
        expired.writeChain(dir.resolve("expired.pem"));
        expired.writeKey(dir.resolve("expired.key"), KeyFormat.PKCS8);
        Issued other = tls.ca.issue(KeyType.EC, "other.test");
        other.writeKey(dir.resolve("other.key"), KeyFormat.PKCS8);
        Files.writeString(dir.resolve("garbage.pem"), "not a certificate");
        List<ConfigError> errors = errors(listener("""
                    tls:
                      certificates:
                        - { cert: missing.pem, key: server.key }
                        - { cert: expired.pem, key: expired.key }
                        - { cert: server.pem, key: other.key }
                        - { cert: garbage.pem, key: server.key }
                """));
        assertThat(errors).extracting(ConfigError::line, ConfigError::path).containsExactly(
                tuple(6, "/listeners/0/tls/certificates/0/cert"),
                tuple(7, "/listeners/0/tls/certificates/1/cert"),
                tuple(8, "/listeners/0/tls/certificates/2/key"),
                tuple(9, "/listeners/0/tls/certificates/3/cert"));
        assertThat(errors).extracting(ConfigError::message).satisfiesExactly(
                m -> assertThat(m).contains("missing.pem").contains("not found"),
                m -> assertThat(m).contains("expired.pem").contains("expired"),
                m -> assertThat(m).contains("other.key").contains("does not match"),
                m -> assertThat(m).contains("garbage.pem").contains("no PEM block"));
        assertThat(errors.get(0).toString()).startsWith("tls.yaml:6:");
    }

    @Test
    void clientAuthNeedsACaAndProtocolsAreLimitedToTls12And13() {
        List<ConfigError> errors = errors(listener("""
                    tls:
                      certificates: [ { cert: server.pem, key: server.key } ]
                      client_auth: require
                      protocols: [ TLSv1.1 ]
                """));
        assertThat(errors).extracting(ConfigError::path).containsExactlyInAnyOrder(
                "/listeners/0/tls/client_auth", "/listeners/0/tls/protocols/0");
    }

    @Test
    void cipherListWithNothingTheEngineSupportsIsRefused() {
        List<ConfigError> errors = errors(listener("""
                    tls:
                      certificates: [ { cert: server.pem, key: server.key } ]
                      ciphers: [ TLS_MADE_UP_WITH_NULL_SHA ]
                """));
        assertThat(errors).extracting(ConfigError::path).containsExactly("/listeners/0/tls/ciphers");
        assertThat(errors.get(0).message()).contains("none of the configured cipher suites");
    }

    @Test
    void protocolAndTlsOfClustersMustAgree() {
        List<ConfigError> errors = errors("""
                listeners: [ { name: public, address: "127.0.0.1:0", tls: { certificates: [ { cert: server.pem, key: server.key } ] }, http2: { h2c: true } } ]
                routes:
                  - name: all
                    match: { path_prefix: / }
                    cluster: a
                clusters:
                  - name: a
                    endpoints: [ "127.0.0.1:9000" ]
                    protocol: h2
                  - name: b
                    endpoints: [ "127.0.0.1:9000" ]
                    protocol: h2c
                    tls: { ca: ca.pem }
                  - name: c
                    endpoints: [ "127.0.0.1:9000" ]
                    protocol: h2c
                    health_check: { http: { path: /health } }
                  - name: d
                    endpoints: [ "127.0.0.1:9000" ]
                    tls: { ca: nowhere.pem, cert: client.pem }
                  - name: e
                    endpoints: [ "127.0.0.1:9000" ]
                    max_streams_per_connection: 10
                """);
        assertThat(errors).extracting(ConfigError::path).containsExactly(
                "/listeners/0/http2/h2c",
                "/clusters/0/protocol",
                "/clusters/1/protocol",
                "/clusters/2/health_check/http",
                "/clusters/3/tls/cert", // the field present; the missing key has no line
                "/clusters/4/max_streams_per_connection");
    }

    @Test
    void aGoodTlsConfigLoadsWithRelativePathsResolvedAgainstTheConfigFolder() throws Exception {
        GatewayConfig config = loader.parse(listener("""
                    tls:
                      certificates: [ { cert: server.pem, key: server.key } ]
                      client_auth: optional
                      client_ca: ca.pem
                      hsts: { max_age: 24h }
                """), "tls.yaml", dir);
        ListenerConfig.Tls t = config.listeners().get(0).tls();
        assertThat(t.certificates().get(0).cert()).isEqualTo(dir.resolve("server.pem"));
        assertThat(t.clientAuth()).isEqualTo(ListenerConfig.ClientAuth.OPTIONAL);
        assertThat(t.hsts().headerValue()).isEqualTo("max-age=86400");
        assertThat(t.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
    }
}
