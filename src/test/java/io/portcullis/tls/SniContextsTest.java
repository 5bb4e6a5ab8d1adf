package io.portcullis.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.portcullis.testing.TestCertificates;
import io.portcullis.testing.TestCertificates.Authority;
import io.portcullis.testing.TestCertificates.KeyFormat;
import io.portcullis.testing.TestCertificates.KeyType;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SniContextsTest {
    @TempDir
    Path dir;
    private Authority ca;
    private SniContexts contexts;

    @BeforeEach
    void authority() {
        ca = TestCertificates.rootCa("Test CA", KeyType.EC);
    }

    @AfterEach
    void release() {
        if (contexts != null) {
            contexts.close();
        }
    }

    @Test
    void openSslIsTheProviderOnThisMachine() {
        assertThat(OpenSsl.unavailabilityCause()).isNull();
        assertThat(TlsProvider.selected().name()).isEqualTo("openssl");
    }

    @Test
    void selectsExactThenOneLabelWildcardThenDefault() throws Exception {
        CertificateBundle fallback = bundle("fallback", "default.test");
        CertificateBundle wildcard = bundle("wildcard", "*.example.com");
        CertificateBundle apex = bundle("apex", "example.com", "api.example.com");
        contexts = SniContexts.builder(TlsProvider.selected())
                .defaultBundle(fallback).add(wildcard).add(apex).build();
        SslContext fallbackContext = contexts.select(null);
        SslContext wildcardContext = contexts.select("a.example.com");
        SslContext apexContext = contexts.select("example.com");

        assertThat(List.of(fallbackContext, wildcardContext, apexContext)).doesNotHaveDuplicates();
        assertThat(contexts.select("default.test")).isSameAs(fallbackContext);
        assertThat(contexts.select("")).isSameAs(fallbackContext);
        assertThat(contexts.select("unknown.org")).isSameAs(fallbackContext);
        assertThat(contexts.select("zzz.example.com")).isSameAs(wildcardContext);
        assertThat(contexts.select("A.Example.COM.")).isSameAs(wildcardContext);
        assertThat(contexts.select("api.example.com")).as("exact beats wildcard").isSameAs(apexContext);
        assertThat(contexts.select("a.b.example.com")).as("a wildcard covers one label").isSameAs(fallbackContext);
        assertThat(contexts.select(".example.com")).isSameAs(fallbackContext);
        assertThat(contexts.select("example")).isSameAs(fallbackContext);
        assertThat(contexts.mapping().map("x.example.com")).isSameAs(wildcardContext);
        assertThat(contexts.mapping().map(null)).isSameAs(fallbackContext);
        assertThat(wildcardContext.isServer()).isTrue();
        assertThat(contexts.provider().name()).isEqualTo("openssl");
    }

    @Test
    void jdkProviderBuildsToo() throws Exception {
        contexts = SniContexts.builder(TlsProvider.jdk()).defaultBundle(bundle("d", "d.test")).build();
        assertThat(contexts.select("d.test").cipherSuites()).contains("TLS_AES_128_GCM_SHA256",
                "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    }

    @Test
    void defaultCipherListIsMozillaIntermediate() throws Exception {
        contexts = SniContexts.builder(TlsProvider.openSsl()).defaultBundle(bundle("d", "d.test")).build();
        assertThat(contexts.select(null).cipherSuites())
                .isSubsetOf(SniContexts.INTERMEDIATE_CIPHERS)
                .contains("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256")
                .noneMatch(suite -> suite.contains("CBC") || suite.contains("RC4") || suite.contains("3DES"));
    }

    @Test
    void aNameServedTwiceIsRefused() throws Exception {
        CertificateBundle first = bundle("first", "a.example.com");
        CertificateBundle second = bundle("second", "b.example.com", "a.example.com");
        assertThatThrownBy(() -> SniContexts.builder(TlsProvider.selected()).defaultBundle(first).add(second)
                .build())
                .isInstanceOf(TlsConfigException.class)
                .hasMessage(second.certificateFile() + ": name a.example.com is already served by "
                        + first.certificateFile());
    }

    @Test
    void theDefaultBundleMayAlsoBeAdded() throws Exception {
        CertificateBundle only = bundle("only", "a.example.com");
        contexts = SniContexts.builder(TlsProvider.selected()).defaultBundle(only).add(only).build();
        assertThat(contexts.select("a.example.com")).isSameAs(contexts.select(null));
    }

    @Test
    void cipherListWithNothingSupportedIsRefused() throws Exception {
        CertificateBundle only = bundle("only", "a.example.com");
        assertThatThrownBy(() -> SniContexts.builder(TlsProvider.selected()).defaultBundle(only)
                .ciphers(List.of("TLS_NOT_A_REAL_SUITE")).build())
                .isInstanceOf(TlsConfigException.class)
                .hasMessageStartingWith(only.certificateFile() + ": none of the configured cipher suites");
    }

    @Test
    void settingsAreValidated() throws Exception {
        CertificateBundle only = bundle("only", "a.example.com");
        assertThatThrownBy(() -> SniContexts.builder(TlsProvider.selected()).build())
                .isInstanceOf(IllegalStateException.class).hasMessage("defaultBundle must be set");
        assertThatThrownBy(() -> SniContexts.builder(TlsProvider.selected()).defaultBundle(only)
                .protocols(List.of()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("protocols must not be empty");
    }

    private CertificateBundle bundle(String file, String... names) throws TlsConfigException {
        TestCertificates.Issued leaf = ca.issue(KeyType.RSA, names);
        return CertificateBundle.load(leaf.writeChain(dir.resolve(file + ".crt")),
                leaf.writeKey(dir.resolve(file + ".key"), KeyFormat.TRADITIONAL), Clock.systemUTC());
    }
}
