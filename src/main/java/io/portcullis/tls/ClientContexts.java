package io.portcullis.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The client-side TLS context the gateway uses toward one cluster: the CAs it trusts (a PEM bundle, or the JDK's
 * default trust store), hostname verification (on unless turned off), an optional client certificate for mTLS, and
 * ALPN when the cluster speaks h2. One context per cluster per snapshot, shared by every event loop.
 */
public final class ClientContexts {
    private ClientContexts() {}

    /**
     * @param ca             trusted CAs, or null for the JDK's defaults
     * @param cert           client certificate chain, or null for none
     * @param key            its private key (set exactly when {@code cert} is)
     * @param verifyHostname whether the server's certificate must name the host the gateway connects to
     * @param alpn           ALPN protocols to offer, e.g. {@code h2}; empty for none
     */
    public static SslContext build(TlsProvider provider, Path ca, Path cert, Path key, boolean verifyHostname,
            List<String> alpn, Clock clock) throws TlsConfigException {
        SslContextBuilder builder = SslContextBuilder.forClient()
                .sslProvider(provider.sslProvider())
                .protocols(TlsDefaults.PROTOCOLS)
                .ciphers(TlsDefaults.INTERMEDIATE_CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                // Netty verifies the peer's name against the host given to newHandler when this is "HTTPS".
                .endpointIdentificationAlgorithm(verifyHostname ? "HTTPS" : null);
        if (ca != null) {
            builder.trustManager(TrustBundle.load(ca).toArray(new X509Certificate[0]));
        }
        if (cert != null) {
            CertificateBundle bundle = CertificateBundle.load(cert, key, clock);
            builder.keyManager(bundle.privateKey(), bundle.chain().toArray(new X509Certificate[0]));
        }
        if (!alpn.isEmpty()) {
            builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
        }
        try {
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new TlsConfigException(ca != null ? ca : cert != null ? cert : Path.of("(default trust store)"),
                    "cannot build a " + provider.name() + " client TLS context: " + e.getMessage(), e);
        }
    }
}
