package io.portcullis.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.Mapping;
import io.netty.util.ReferenceCountUtil;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLException;

/**
 * The server-side TLS contexts of a listener, one per {@link CertificateBundle}, and the choice between them by the
 * SNI name of the ClientHello: an exact name first, then a {@code *.example.com} wildcard (one label only, as in
 * RFC 6125), then the default bundle. A listener puts {@code new SniHandler(contexts.mapping())} first in its
 * pipeline; lookups are two hash-map reads on the event loop, with no locks.
 *
 * <p>Immutable once built; a reload builds a new instance. {@link #close()} releases the OpenSSL contexts (engines
 * already created keep theirs until their connections close).
 */
public final class SniContexts implements AutoCloseable {
    public static final List<String> INTERMEDIATE_CIPHERS = TlsDefaults.INTERMEDIATE_CIPHERS;
    public static final List<String> DEFAULT_PROTOCOLS = TlsDefaults.PROTOCOLS;

    private final TlsProvider provider;
    private final SslContext defaultContext;
    private final Map<String, SslContext> exact;
    /** Keyed by what follows {@code *.}: {@code example.com} for {@code *.example.com}. */
    private final Map<String, SslContext> wildcard;
    private final List<SslContext> all;
    private final List<CertificateBundle> bundles;

    private SniContexts(TlsProvider provider, SslContext defaultContext, Map<String, SslContext> exact,
            Map<String, SslContext> wildcard, List<SslContext> all, List<CertificateBundle> bundles) {
        this.bundles = bundles;
        this.provider = provider;
        this.defaultContext = defaultContext;
        this.exact = exact;
        this.wildcard = wildcard;
        this.all = all;
    }

    public static Builder builder(TlsProvider provider) {
        return new Builder(provider);
    }

    /** The context for a ClientHello's server name; a null, unknown or malformed name gets the default bundle's. */
    public SslContext select(String sniHostname) {
        if (sniHostname == null || sniHostname.isEmpty()) {
            return defaultContext;
        }
        String name = sniHostname.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        SslContext context = exact.get(name);
        if (context != null) {
            return context;
        }
        int dot = name.indexOf('.');
        if (dot > 0) {
            context = wildcard.get(name.substring(dot + 1));
            if (context != null) {
                return context;
            }
        }
        return defaultContext;
    }

    /** {@link #select} as the mapping Netty's {@code SniHandler} takes. */
    public Mapping<String, SslContext> mapping() {
        return this::select;
    }

    /** The bundles served, the default first (for expiry metrics and logs). */
    public List<CertificateBundle> bundles() {
        return bundles;
    }

    public TlsProvider provider() {
        return provider;
    }

    @Override
    public void close() {
        for (SslContext context : all) {
            ReferenceCountUtil.release(context); // a no-op for the JDK's contexts, which are not reference counted
        }
    }

    /** Collects bundles and settings; {@link #build()} checks them and creates the contexts. */
    public static final class Builder {
        private final TlsProvider provider;
        private CertificateBundle defaultBundle;
        private final List<CertificateBundle> bundles = new ArrayList<>();
        private List<String> protocols = DEFAULT_PROTOCOLS;
        private List<String> ciphers = INTERMEDIATE_CIPHERS;
        private List<String> alpn = List.of();
        private ClientAuth clientAuth = ClientAuth.NONE;
        private List<X509Certificate> trustedClientCas = List.of();

        private Builder(TlsProvider provider) {
            this.provider = Objects.requireNonNull(provider, "provider");
        }

        /** The bundle for clients that send no SNI name or one no bundle covers; its own names are served too. */
        public Builder defaultBundle(CertificateBundle bundle) {
            this.defaultBundle = Objects.requireNonNull(bundle, "defaultBundle");
            return this;
        }

        public Builder add(CertificateBundle bundle) {
            bundles.add(Objects.requireNonNull(bundle, "bundle"));
            return this;
        }

        /** Protocol names as the JDK spells them ({@code TLSv1.3}); default {@link #DEFAULT_PROTOCOLS}. */
        public Builder protocols(List<String> protocols) {
            this.protocols = List.copyOf(protocols);
            return this;
        }

        /** IANA cipher suite names; default {@link #INTERMEDIATE_CIPHERS}. */
        public Builder ciphers(List<String> ciphers) {
            this.ciphers = List.copyOf(ciphers);
            return this;
        }

        /** ALPN protocol names in preference order ({@code h2}, {@code http/1.1}); empty: no ALPN. */
        public Builder alpn(List<String> protocols) {
            this.alpn = List.copyOf(protocols);
            return this;
        }

        /** Asks clients for a certificate ({@code OPTIONAL}) or requires one, verified against {@code trusted}. */
        public Builder clientAuth(ClientAuth mode, List<X509Certificate> trusted) {
            this.clientAuth = Objects.requireNonNull(mode, "mode");
            this.trustedClientCas = List.copyOf(trusted);
            if (mode != ClientAuth.NONE && trusted.isEmpty()) {
                throw new IllegalArgumentException("client authentication needs at least one trusted CA");
            }
            return this;
        }

        public SniContexts build() throws TlsConfigException {
            if (defaultBundle == null) {
                throw new IllegalStateException("defaultBundle must be set");
            }
            if (protocols.isEmpty()) {
                throw new IllegalArgumentException("protocols must not be empty");
            }
            if (ciphers.isEmpty()) {
                throw new IllegalArgumentException("ciphers must not be empty");
            }
            Map<CertificateBundle, SslContext> contexts = new IdentityHashMap<>();
            Map<String, SslContext> exact = new HashMap<>();
            Map<String, SslContext> wildcard = new HashMap<>();
            Map<String, CertificateBundle> owners = new HashMap<>();
            List<CertificateBundle> ordered = new ArrayList<>();
            ordered.add(defaultBundle);
            ordered.addAll(bundles);
            try {
                for (CertificateBundle bundle : ordered) {
                    if (contexts.containsKey(bundle)) {
                        continue;
                    }
                    SslContext context = newContext(bundle);
                    contexts.put(bundle, context);
                    for (String name : bundle.dnsNames()) {
                        CertificateBundle owner = owners.putIfAbsent(name, bundle);
                        if (owner != null) {
                            throw new TlsConfigException(bundle.certificateFile(), "name " + name
                                    + " is already served by " + owner.certificateFile());
                        }
                        if (name.startsWith("*.")) {
                            wildcard.put(name.substring(2), context);
                        } else {
                            exact.put(name, context);
                        }
                    }
                }
            } catch (TlsConfigException | RuntimeException e) {
                contexts.values().forEach(ReferenceCountUtil::release);
                throw e;
            }
            return new SniContexts(provider, contexts.get(defaultBundle), Map.copyOf(exact), Map.copyOf(wildcard),
                    List.copyOf(contexts.values()), List.copyOf(contexts.keySet().stream()
                            .sorted(java.util.Comparator.comparingInt(ordered::indexOf)).toList()));
        }

        private SslContext newContext(CertificateBundle bundle) throws TlsConfigException {
            SslContext context;
            try {
                SslContextBuilder builder = SslContextBuilder.forServer(bundle.privateKey(),
                                bundle.chain().toArray(new X509Certificate[0]))
                        .sslProvider(provider.sslProvider())
                        .protocols(protocols)
                        .ciphers(ciphers, SupportedCipherSuiteFilter.INSTANCE)
                        .clientAuth(clientAuth);
                if (clientAuth != ClientAuth.NONE) {
                    builder.trustManager(trustedClientCas.toArray(new X509Certificate[0]));
                }
                if (!alpn.isEmpty()) {
                    builder.applicationProtocolConfig(new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
                }
                context = builder.build();
            } catch (SSLException | IllegalArgumentException e) {
                throw new TlsConfigException(bundle.certificateFile(),
                        "cannot build a " + provider.name() + " TLS context: " + e.getMessage(), e);
            }
            if (context.cipherSuites().isEmpty()) {
                ReferenceCountUtil.release(context);
                throw new TlsConfigException(bundle.certificateFile(),
                        "none of the configured cipher suites is supported by " + provider.name() + ": " + ciphers);
            }
            return context;
        }
    }
}
