package io.portcullis.server;

import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;
import io.portcullis.config.ListenerConfig;
import io.netty.channel.EventLoop;
import io.portcullis.observe.GatewayMetrics;
import io.portcullis.tls.CertificateBundle;
import io.portcullis.tls.CertificateReloader;
import io.portcullis.tls.SniContexts;
import io.portcullis.tls.TlsConfigException;
import io.portcullis.tls.TlsProvider;
import io.portcullis.tls.TrustBundle;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The TLS side of one listener: the contexts new handshakes use, built from the listener's config and rebuilt by a
 * {@link CertificateReloader} on the control loop when the certificate files change (a broken file is refused and
 * the contexts in use stay). Each ClientHello reads the current contexts once; connections already open keep the
 * engine they started with. The expiry gauges follow what is served.
 */
final class ListenerTls implements Mapping<String, SslContext> {
    private final CertificateReloader reloader;

    private ListenerTls(ListenerConfig listener, TlsProvider provider, EventLoop control, GatewayMetrics metrics)
            throws TlsConfigException {
        String name = listener.name();
        SniContexts initial = build(listener, provider);
        metrics.tlsCertificates(name, expiries(initial));
        try {
            this.reloader = CertificateReloader.start(name, files(listener), listener.tls().reloadInterval(), initial,
                    () -> {
                        try {
                            return build(listener, provider);
                        } catch (TlsConfigException | RuntimeException e) {
                            metrics.tlsReload(name, "failure");
                            throw e;
                        }
                    }, control, next -> {
                        metrics.tlsReload(name, "success");
                        metrics.tlsCertificates(name, expiries(next));
                    });
        } catch (RuntimeException e) {
            initial.close(); // the watcher could not start: nothing will own these contexts
            throw e;
        }
    }

    static ListenerTls start(ListenerConfig listener, TlsProvider provider, EventLoop control, GatewayMetrics metrics)
            throws TlsConfigException {
        return new ListenerTls(listener, provider, control, metrics);
    }

    private static Map<String, Instant> expiries(SniContexts contexts) {
        Map<String, Instant> out = new LinkedHashMap<>();
        for (CertificateBundle bundle : contexts.bundles()) {
            out.put(bundle.certificateFile().toString(), bundle.notAfter());
        }
        return out;
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
    private static List<Path> files(ListenerConfig listener) {
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

    /** The SNI lookup of a ClientHello: an exact name, a wildcard, or the default certificate. */
    @Override
    public SslContext map(String serverName) {
        return reloader.current().select(serverName);
    }

    void close() {
        reloader.close();
        reloader.current().close();
    }
}
