package io.portcullis.server;

import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;
import io.portcullis.config.ListenerConfig;
import io.portcullis.tls.CertificateBundle;
import io.portcullis.tls.SniContexts;
import io.portcullis.tls.TlsConfigException;
import io.portcullis.tls.TlsProvider;
import io.portcullis.tls.TrustBundle;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The TLS side of one listener: the contexts new handshakes use (swapped when the certificate files change), built
 * from the listener's config. Each ClientHello reads the current contexts once; connections already open keep the
 * engine they started with.
 */
final class ListenerTls implements Mapping<String, SslContext> {
    private final ListenerConfig listener;
    private final TlsProvider provider;
    private volatile SniContexts contexts;

    private ListenerTls(ListenerConfig listener, TlsProvider provider, SniContexts contexts) {
        this.listener = listener;
        this.provider = provider;
        this.contexts = contexts;
    }

    static ListenerTls start(ListenerConfig listener, TlsProvider provider) throws TlsConfigException {
        return new ListenerTls(listener, provider, build(listener, provider));
    }

    /** Builds the listener's contexts from its files as they are now. */
    static SniContexts build(ListenerConfig listener, TlsProvider provider) throws TlsConfigException {
        ListenerConfig.Tls tls = listener.tls();
        List<CertificateBundle> bundles = new ArrayList<>();
        for (ListenerConfig.Certificate c : tls.certificates()) {
            bundles.add(CertificateBundle.load(c.cert(), c.key(), Clock.systemUTC()));
        }
        SniContexts.Builder builder = SniContexts.builder(provider)
                .defaultBundle(bundles.get(0))
                .protocols(tls.protocols())
                .ciphers(tls.ciphers())
                .alpn(listener.http2().enabled()
                        ? List.of(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1)
                        : List.of(ApplicationProtocolNames.HTTP_1_1));
        bundles.forEach(builder::add);
        if (tls.clientAuth() != ListenerConfig.ClientAuth.NONE) {
            builder.clientAuth(ClientAuth.valueOf(tls.clientAuth().name().toUpperCase(Locale.ROOT)),
                    TrustBundle.load(tls.clientCa()));
        }
        return builder.build();
    }

    /** Every file the contexts are built from (watched for changes). */
    List<Path> files() {
        ListenerConfig.Tls tls = listener.tls();
        List<Path> files = new ArrayList<>();
        for (ListenerConfig.Certificate c : tls.certificates()) {
            files.add(c.cert());
            files.add(c.key());
        }
        if (tls.clientCa() != null) {
            files.add(tls.clientCa());
        }
        return files;
    }

    ListenerConfig listener() {
        return listener;
    }

    TlsProvider provider() {
        return provider;
    }

    SniContexts contexts() {
        return contexts;
    }

    /** New handshakes use {@code next} from now on; the caller closes the replaced contexts. */
    void swap(SniContexts next) {
        contexts = next;
    }

    /** The SNI lookup of a ClientHello: an exact name, a wildcard, or the default certificate. */
    @Override
    public SslContext map(String serverName) {
        return contexts.select(serverName);
    }

    void close() {
        contexts.close();
    }
}
