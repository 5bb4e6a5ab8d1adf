package io.portcullis.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.portcullis.config.ListenerConfig;
import io.portcullis.ratelimit.overload.ConnectionLimits;
import io.portcullis.ratelimit.overload.RequestBudget;
import io.portcullis.tls.ClientIdentity;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the pipeline of each accepted connection. The protocol is settled first (TLS with ALPN, or a look at the
 * first bytes for prior-knowledge h2c), then one of:
 * <pre>
 *   HTTP/1.x:  [ssl] → idle → decoder (strict) → encoder → {@link DownstreamHandler}
 *   HTTP/2:    [ssl] → flush batcher → idle → {@link Http2ConnectionGuard} → frame codec → {@link Http2Streams}
 *                each stream: {@link Http2ServerStream} (frames ↔ HTTP/1.1 objects) → {@link DownstreamHandler}
 *   redirect:  idle → decoder → encoder → {@link HttpsRedirectHandler}
 * </pre>
 * An HTTP/2 stream is served exactly like an HTTP/1.1 connection with one request: same routing, filters and
 * exchange, on the connection's event loop.
 */
final class DownstreamInitializer extends ChannelInitializer<SocketChannel> {
    private static final Logger LOG = LoggerFactory.getLogger(DownstreamInitializer.class);
    /** Largest ClientHello accepted while looking for the SNI name (Netty's default bound). */
    private static final int MAX_CLIENT_HELLO = 16 * 1024;

    private final GatewayContext context;
    private final ListenerConfig listener;
    private final ListenerTls tls;
    private final long drainMillis;
    /** The listener's connection limits, or null. */
    private final ConnectionLimits connections;

    DownstreamInitializer(GatewayContext context, ListenerConfig listener, ListenerTls tls, long drainMillis,
            ConnectionLimits connections) {
        this.context = context;
        this.listener = listener;
        this.tls = tls;
        this.drainMillis = drainMillis;
        this.connections = connections;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        if (connections != null && !admit(ch)) {
            return;
        }
        context.downstreamChannels().add(ch);
        ChannelPipeline p = ch.pipeline();
        if (listener.redirectHttps() != null) {
            http1(p, null);
        } else if (tls != null) {
            p.addLast("sni", new SniHandler(tls, MAX_CLIENT_HELLO, listener.headerReadTimeout().toMillis()));
            p.addLast("alpn", new Negotiator());
        } else if (listener.http2().h2c()) {
            p.addLast("detect", new PrefaceDetector(this, listener.headerReadTimeout().toMillis()));
        } else {
            http1(p, ConnectionInfo.PLAIN_HTTP1);
        }
    }

    ListenerConfig listener() {
        return listener;
    }

    /**
     * Counts the connection against the listener's limits; past one it is closed before a byte is read (the
     * cheapest answer to a flood). An admitted one is released when it closes.
     */
    private boolean admit(SocketChannel ch) {
        String client = ConnectionInfo.clientIp(ch.remoteAddress());
        ConnectionLimits.Verdict verdict = connections.tryOpen(client);
        if (verdict != ConnectionLimits.Verdict.ACCEPTED) {
            context.metrics().connectionRefused(listener.name(), verdict.name().toLowerCase(Locale.ROOT));
            ch.config().setOption(ChannelOption.SO_LINGER, 0); // a reset: no TIME_WAIT left for a flood
            ch.close();
            return false;
        }
        ch.closeFuture().addListener(f -> connections.close(client));
        return true;
    }

    /** A new request budget for an HTTP/1.1 connection, or null without a per-connection request limit. */
    RequestBudget requestBudget() {
        return connections == null ? null : connections.requestBudget();
    }

    /** HTTP/1.x on this connection; a null {@code info} makes it a redirect-to-HTTPS connection. */
    void http1(ChannelPipeline p, ConnectionInfo info) {
        ListenerConfig.Limits limits = listener.limits();
        ProxyResponseEncoder encoder = new ProxyResponseEncoder();
        // Reader-idle only: an all-idle handler hooks a listener onto every write, a measurable cost per request;
        // "idle" here means the client sent nothing for idle_timeout, which is what the timeout is about.
        p.addLast("idle", new IdleStateHandler(listener.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
                .addLast("decoder", new StrictRequestDecoder(limits.maxRequestLine(), limits.maxHeaderSize(),
                        limits.maxHeaderField(), listener.headerReadTimeout().toMillis()))
                .addLast("encoder", encoder);
        if (info == null) {
            p.addLast("keepalive", new HttpServerKeepAliveHandler())
                    .addLast("redirect", new HttpsRedirectHandler(listener.redirectHttps().port()));
        } else {
            p.addLast("proxy", new DownstreamHandler(context, listener, encoder, info, requestBudget()));
        }
    }

    /** HTTP/2 on this connection: its streams become HTTP/1.1-shaped messages for the proxy. */
    void http2(ChannelPipeline p, ConnectionInfo info) {
        ListenerConfig.Http2 h2 = listener.http2();
        Http2Settings settings = new Http2Settings()
                .maxConcurrentStreams(h2.maxConcurrentStreams())
                .initialWindowSize(h2.initialWindowSize())
                .maxHeaderListSize(listener.limits().maxHeaderSize());
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(settings)
                .validateHeaders(true)
                .decoderEnforceMaxRstFramesPerWindow(h2.maxResets(), resetWindowSeconds(h2))
                .encoderEnforceMaxQueuedControlFrames(h2.maxQueuedControlFrames())
                .gracefulShutdownTimeoutMillis(drainMillis)
                // A request id differs in every response: indexing it in the HPACK table would only evict the
                // fields that repeat (content-type, server, via), so it goes out as a never-indexed literal.
                .headerSensitivityDetector((name, value) -> ProxyHeaders.X_REQUEST_ID.contentEqualsIgnoreCase(name))
                .build();
        // Reader-idle, as on HTTP/1.1: a client reading a long response still sends WINDOW_UPDATEs, so a client that
        // sends nothing for idle_timeout has stalled its streams (or has none), unless they await their backends.
        Http2ConnectionGuard guard = new Http2ConnectionGuard(h2.initialWindowSize());
        p.addLast("flush", new Http2FlushBatcher())
                .addLast("idle", new IdleStateHandler(listener.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
                .addLast("h2guard", guard)
                .addLast("h2", codec)
                .addLast("streams", new Http2Streams(() -> new DownstreamHandler(context, listener, null, info, null),
                        listener.idleTimeout().toNanos()))
                .addLast("h2tail", new Http2ConnectionGuard.Tail());
        guard.widenWindow();
        guard.limitRequests(requestBudget());
    }

    /** Netty counts resets over whole seconds: the configured window, rounded up. */
    static int resetWindowSeconds(ListenerConfig.Http2 h2) {
        long millis = h2.resetWindow().toMillis();
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (millis + 999) / 1000));
    }

    /** After the TLS handshake: HTTP/2 or HTTP/1.1 by ALPN (HTTP/1.1 when the client offered none). */
    private final class Negotiator extends ApplicationProtocolNegotiationHandler {
        Negotiator() {
            super(ApplicationProtocolNames.HTTP_1_1);
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            ClientIdentity identity = peerIdentity(ctx.pipeline().get(SslHandler.class));
            if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                http2(ctx.pipeline(), ConnectionInfo.of(listener, identity, true, ctx.channel().remoteAddress()));
            } else {
                http1(ctx.pipeline(), ConnectionInfo.of(listener, identity, false, ctx.channel().remoteAddress()));
            }
        }

        @Override
        protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
            context.metrics().tlsHandshakeFailure(listener.name());
            LOG.debug("listener {}: TLS handshake with {} failed: {}", listener.name(), ctx.channel().remoteAddress(),
                    cause.toString());
            ctx.close();
        }
    }

    /** The verified client certificate of a mutual-TLS connection, or null when the client sent none. */
    private static ClientIdentity peerIdentity(SslHandler ssl) {
        if (ssl == null) {
            return null;
        }
        try {
            Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? ClientIdentity.of(leaf) : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }
}
