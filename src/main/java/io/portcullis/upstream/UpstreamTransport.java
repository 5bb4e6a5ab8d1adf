package io.portcullis.upstream;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.portcullis.config.ClusterConfig;
import io.portcullis.tls.ClientContexts;
import io.portcullis.tls.TlsConfigException;
import io.portcullis.tls.TlsProvider;
import java.time.Clock;
import java.util.List;

/**
 * How one cluster's connections are made: HTTP/1.1, h2 or h2c, and the client TLS context when the cluster uses TLS
 * (CA, SNI name, hostname verification, client certificate). One per cluster per snapshot, shared by every event
 * loop's pools; a DNS refresh keeps it.
 */
public final class UpstreamTransport {
    /** Cleartext HTTP/1.1, the default. */
    public static final UpstreamTransport PLAIN = new UpstreamTransport(ClusterConfig.Transport.DEFAULT, null);

    private final ClusterConfig.Transport config;
    private final SslContext ssl;

    private UpstreamTransport(ClusterConfig.Transport config, SslContext ssl) {
        this.config = config;
        this.ssl = ssl;
    }

    /** Builds the cluster's TLS context, if it has TLS; its files were checked when the config was loaded. */
    public static UpstreamTransport of(ClusterConfig cluster) {
        ClusterConfig.Transport t = cluster.transport();
        if (t.tls() == null) {
            return t.protocol() == ClusterConfig.Protocol.HTTP1 ? PLAIN : new UpstreamTransport(t, null);
        }
        ClusterConfig.UpstreamTls tls = t.tls();
        try {
            SslContext ssl = ClientContexts.build(TlsProvider.selected(), tls.ca(), tls.cert(), tls.key(),
                    tls.verifyHostname(), t.protocol() == ClusterConfig.Protocol.H2
                            ? List.of(ApplicationProtocolNames.HTTP_2) : List.of(), Clock.systemUTC());
            return new UpstreamTransport(t, ssl);
        } catch (TlsConfigException e) {
            throw new IllegalArgumentException("cluster " + cluster.name() + ": " + e.getMessage(), e);
        }
    }

    public ClusterConfig.Protocol protocol() {
        return config.protocol();
    }

    public boolean multiplexed() {
        return config.multiplexed();
    }

    public int maxStreamsPerConnection() {
        return config.maxStreamsPerConnection();
    }

    public boolean tls() {
        return ssl != null;
    }

    /**
     * A TLS handler for a connection to {@code endpoint}: SNI and hostname verification use the configured server
     * name, else the endpoint's host as written in the config (not its resolved address).
     */
    SslHandler newSslHandler(ByteBufAllocator alloc, UpstreamEndpoint endpoint) {
        String name = config.tls().serverName() != null ? config.tls().serverName() : endpoint.configured().host();
        return ssl.newHandler(alloc, name, endpoint.address().getPort());
    }

    /** Releases the TLS context; connections already open keep their engines. */
    void close() {
        if (ssl != null) {
            ReferenceCountUtil.release(ssl);
        }
    }
}
