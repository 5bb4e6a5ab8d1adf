package io.portcullis.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * The h2/h2c half of an {@link EndpointPool}: a few HTTP/2 connections to one endpoint, each carrying up to
 * {@code max_streams_per_connection} exchanges at once as streams (fewer when the server's
 * SETTINGS_MAX_CONCURRENT_STREAMS says so). An exchange borrows a stream, not a connection: it gets an
 * {@link UpstreamConnection} over a {@link Http2StreamChannel} whose pipeline turns HTTP/1.1-shaped messages into
 * frames, so the exchange cannot tell the difference. Releasing it closes the stream.
 *
 * <p>A request that finds every connection full opens another while {@code max_connections} allows, else waits
 * (first come, first served) until a stream ends, and fails after the connect timeout like the HTTP/1.1 pool. A
 * connection that receives GOAWAY takes no new streams and closes once its last one ends. Confined to the loop.
 */
final class MultiplexedPool {
    private static final int CONNECTION_WINDOW = 1024 * 1024;

    private final EndpointPool owner;
    private final UpstreamEndpoint endpoint;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final int maxConnections;
    private final int maxStreams;
    private final List<Parent> parents = new ArrayList<>();
    private boolean retired;

    MultiplexedPool(EndpointPool owner, UpstreamEndpoint endpoint, EventLoop loop, Bootstrap base,
            int maxConnections, long idleMillis) {
        this.owner = owner;
        this.endpoint = endpoint;
        this.loop = loop;
        this.maxConnections = maxConnections;
        this.maxStreams = endpoint.transport().maxStreamsPerConnection();
        UpstreamTransport transport = endpoint.transport();
        this.bootstrap = base.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                Parent parent = new Parent(ch);
                if (transport.tls()) {
                    ch.pipeline().addLast("ssl", transport.newSslHandler(ch.alloc(), endpoint));
                }
                Http2FrameCodec codec = Http2FrameCodecBuilder.forClient()
                        .initialSettings(Http2Settings.defaultSettings()
                                .initialWindowSize(CONNECTION_WINDOW)
                                .maxHeaderListSize(64 * 1024)
                                .pushEnabled(false))
                        .validateHeaders(true)
                        .build();
                ch.pipeline()
                        .addLast("idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS))
                        .addLast("h2", codec)
                        .addLast("streams", new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()))
                        .addLast("parent", parent);
            }
        });
    }

    void acquire(AcquireCallback callback, long connectMillis) {
        assert loop.inEventLoop();
        for (int i = 0; i < parents.size(); i++) {
            Parent p = parents.get(i);
            if (p.hasRoom()) {
                p.open(callback);
                return;
            }
        }
        if (!retired && parents.size() < maxConnections) {
            connect(connectMillis, callback);
            return;
        }
        owner.enqueue(callback);
    }

    /** Opens a connection whose first stream goes to {@code first}. */
    private void connect(long connectMillis, AcquireCallback first) {
        endpoint.openCounter().increment();
        Bootstrap b = connectMillis < 0 ? bootstrap : bootstrap.clone()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectMillis));
        ChannelFuture f = b.connect(endpoint.address());
        Parent parent = f.channel().pipeline().get(Parent.class);
        parents.add(parent);
        parent.open(first);
        f.channel().closeFuture().addListener(closed -> onClosed(parent));
        f.addListener(done -> {
            if (!done.isSuccess()) {
                parent.failed(done.cause());
            } else if (!endpoint.transport().tls()) {
                parent.ready();
            } else {
                SslHandler ssl = f.channel().pipeline().get(SslHandler.class);
                ssl.handshakeFuture().addListener(hs -> {
                    if (!hs.isSuccess()) {
                        parent.failed(hs.cause());
                    } else if (!ApplicationProtocolNames.HTTP_2.equals(ssl.applicationProtocol())) {
                        parent.failed(new SSLException(endpoint + " did not agree to h2 by ALPN (got "
                                + ssl.applicationProtocol() + ")"));
                    } else {
                        parent.ready();
                    }
                });
            }
        });
    }

    private void onClosed(Parent parent) {
        parents.remove(parent);
        endpoint.openCounter().decrement();
        parent.failed(new java.io.IOException("connection to " + endpoint + " closed"));
        serveWaiters();
    }

    /** A stream ended or a connection closed: waiters take the room, in order. */
    private void serveWaiters() {
        while (owner.hasWaiters()) {
            Parent room = null;
            for (Parent p : parents) {
                if (p.hasRoom()) {
                    room = p;
                    break;
                }
            }
            if (room == null && (retired || parents.size() >= maxConnections)) {
                return;
            }
            AcquireCallback next = owner.nextWaiter().callback;
            if (room != null) {
                room.open(next);
            } else {
                connect(-1, next);
            }
        }
    }

    void retire() {
        retired = true;
        for (Parent p : new ArrayList<>(parents)) {
            if (p.active == 0) {
                p.channel.close();
            } else {
                p.goingAway = true;
            }
        }
    }

    void closeIdle() {
        for (Parent p : new ArrayList<>(parents)) {
            if (p.active == 0) {
                p.channel.close();
            }
        }
    }

    /** One HTTP/2 connection: its streams in use, the server's limit, and exchanges waiting for it to be ready. */
    private final class Parent extends ChannelInboundHandlerAdapter {
        final Channel channel;
        int active;
        int serverLimit = Integer.MAX_VALUE;
        boolean goingAway;
        boolean ready;
        int opened;
        ArrayDeque<AcquireCallback> pending = new ArrayDeque<>(2);

        Parent(Channel channel) {
            this.channel = channel;
        }

        boolean hasRoom() {
            return !goingAway && !retired && active < Math.min(maxStreams, serverLimit);
        }

        void open(AcquireCallback callback) {
            active++;
            if (!ready) {
                pending.add(callback);
                return;
            }
            openStream(callback);
        }

        void ready() {
            ready = true;
            widenWindow();
            AcquireCallback c;
            while ((c = pending.poll()) != null) {
                openStream(c);
            }
        }

        void failed(Throwable cause) {
            AcquireCallback c;
            while ((c = pending.poll()) != null) {
                active--;
                c.onAcquireFailed(cause);
            }
            channel.close();
        }

        private void widenWindow() {
            Http2FrameCodec codec = channel.pipeline().get(Http2FrameCodec.class);
            Http2Connection connection = codec.connection();
            try {
                connection.local().flowController().incrementWindowSize(connection.connectionStream(),
                        CONNECTION_WINDOW - 65_535);
            } catch (Http2Exception e) {
                // the default window still works, only slower
            }
        }

        private void openStream(AcquireCallback callback) {
            boolean reused = opened++ > 0;
            new Http2StreamChannelBootstrap(channel)
                    .handler(new ChannelInitializer<Http2StreamChannel>() {
                        @Override
                        protected void initChannel(Http2StreamChannel stream) {
                            UpstreamHandler handler = new UpstreamHandler(owner);
                            handler.connection(new UpstreamConnection(stream, owner, handler));
                            stream.pipeline()
                                    // Fields were validated by the frame codec's HPACK decoder already.
                                    .addLast("codec", new Http2StreamFrameToHttpObjectCodec(false, false))
                                    .addLast("upstream", handler);
                        }
                    })
                    .open()
                    .addListener(f -> {
                        if (!f.isSuccess()) {
                            streamEnded();
                            callback.onAcquireFailed(f.cause());
                            return;
                        }
                        Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
                        stream.closeFuture().addListener(closed -> streamEnded());
                        callback.onAcquired(stream.pipeline().get(UpstreamHandler.class).connection(), reused);
                    });
        }

        private void streamEnded() {
            active--;
            if ((goingAway || retired) && active == 0) {
                channel.close();
            }
            serveWaiters();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2SettingsFrame settings) {
                Long limit = settings.settings().maxConcurrentStreams();
                if (limit != null) {
                    serverLimit = (int) Math.min(Integer.MAX_VALUE, limit);
                }
            } else if (msg instanceof Http2GoAwayFrame) {
                goingAway = true; // streams already open may finish; new ones go elsewhere
                if (active == 0) {
                    channel.close();
                }
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent && active == 0) {
                ctx.close(); // idle past the pool's idle timeout
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
