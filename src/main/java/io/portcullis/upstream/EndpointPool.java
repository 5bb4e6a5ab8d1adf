package io.portcullis.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import io.portcullis.config.ClusterConfig;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive connections to one endpoint, owned by one event loop. Every method runs on that loop, so the idle
 * deque is a plain {@link ArrayDeque}; this is asserted, not assumed.
 *
 * <p>Idle connections are reused most-recently-used first (warm sockets, and the coldest ones age out through the
 * idle timeout). A connection the backend closes while idle removes itself. At most {@code max_connections} are
 * open or opening; a request that finds them all lent out waits, first come first served, for one to be returned
 * or closed, and fails with {@link PoolExhaustedException} after the connect timeout.
 */
public final class EndpointPool {
    private final UpstreamEndpoint endpoint;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
    private final int maxIdle;
    private final int maxConnections;
    private final long waitMillis;
    private ArrayDeque<Waiter> waiters;
    private int open;
    private boolean retired;
    /** Set for h2 and h2c clusters: connections are shared by streams, and this pool delegates to it. */
    private final MultiplexedPool multiplexed;

    EndpointPool(UpstreamEndpoint endpoint, EventLoop loop, Class<? extends SocketChannel> channelClass) {
        this.endpoint = endpoint;
        this.loop = loop;
        ClusterConfig cluster = endpoint.cluster();
        this.maxIdle = cluster.pool().maxIdle();
        this.maxConnections = cluster.pool().maxConnections();
        this.waitMillis = cluster.connectTimeout().toMillis();
        long idleMillis = cluster.pool().idleTimeout().toMillis();
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        cluster.connectTimeout().toMillis()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        UpstreamHandler handler = new UpstreamHandler(EndpointPool.this);
                        handler.connection(new UpstreamConnection(ch, EndpointPool.this, handler));
                        if (endpoint.transport().tls()) {
                            ch.pipeline().addLast("ssl", endpoint.transport().newSslHandler(ch.alloc(), endpoint));
                        }
                        ch.pipeline().addLast("idle", new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS));
                        ch.pipeline().addLast("codec", new HttpClientCodec(new HttpDecoderConfig()
                                .setMaxInitialLineLength(8192)
                                .setMaxHeaderSize(64 * 1024)
                                .setMaxChunkSize(64 * 1024)
                                .setValidateHeaders(true)
                                .setAllowDuplicateContentLengths(false)
                                .setUseRfc9112TransferEncoding(true),
                                false, false));
                        ch.pipeline().addLast("upstream", handler);
                    }
                });
        this.multiplexed = endpoint.transport().multiplexed()
                ? new MultiplexedPool(this, endpoint, loop, bootstrap, maxConnections, idleMillis) : null;
    }

    public UpstreamEndpoint endpoint() {
        return endpoint;
    }

    /** Lends an idle connection, opens a new one, or queues the request. The callback may run before this returns. */
    public void acquire(AcquireCallback callback) {
        acquire(callback, -1);
    }

    /** As {@link #acquire(AcquireCallback)}, opening a new connection within {@code connectMillis} (-1: the cluster's). */
    public void acquire(AcquireCallback callback, long connectMillis) {
        assert loop.inEventLoop();
        if (multiplexed != null) {
            multiplexed.acquire(callback, connectMillis);
            return;
        }
        UpstreamConnection c;
        while ((c = pollIdle()) != null) {
            if (c.channel().isActive()) {
                callback.onAcquired(c, true);
                return;
            }
        }
        if (open < maxConnections) {
            connect(callback, connectMillis);
        } else {
            enqueue(callback);
        }
    }

    /** Always opens a new connection (a retry after a reused connection turned out to be stale). */
    public void connect(AcquireCallback callback) {
        connect(callback, -1);
    }

    private void connect(AcquireCallback callback, long connectMillis) {
        assert loop.inEventLoop();
        if (multiplexed != null) {
            multiplexed.acquire(callback, connectMillis); // a fresh stream is all a retry needs
            return;
        }
        open++;
        endpoint.openCounter().increment();
        // A route's own connect timeout costs a bootstrap copy per new connection; the cluster's costs nothing.
        Bootstrap b = connectMillis < 0 ? bootstrap : bootstrap.clone()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectMillis));
        ChannelFuture f = b.connect(endpoint.address());
        f.channel().closeFuture().addListener(closed -> onClosed());
        f.addListener(done -> {
            if (!done.isSuccess()) {
                callback.onAcquireFailed(done.cause());
                return;
            }
            Channel ch = f.channel();
            UpstreamConnection c = ch.pipeline().get(UpstreamHandler.class).connection();
            SslHandler ssl = ch.pipeline().get(SslHandler.class);
            if (ssl == null) {
                callback.onAcquired(c, false);
                return;
            }
            // A failed TLS handshake is a failed connect (retried, counted against the endpoint), not a reset.
            ssl.handshakeFuture().addListener(hs -> {
                if (hs.isSuccess()) {
                    callback.onAcquired(c, false);
                } else {
                    ch.close();
                    callback.onAcquireFailed(hs.cause());
                }
            });
        });
    }

    /** Queues a request for the next free connection (or stream), within max_pending and the connect timeout. */
    void enqueue(AcquireCallback callback) {
        if (!endpoint.reservePending()) {
            callback.onAcquireFailed(new PoolExhaustedException(endpoint, endpoint.cluster().resilience().maxPending()));
            return;
        }
        if (waiters == null) {
            waiters = new ArrayDeque<>();
        }
        Waiter w = new Waiter(callback);
        w.timeout = loop.schedule(() -> {
            waiters.remove(w);
            endpoint.releasePending();
            callback.onAcquireFailed(new PoolExhaustedException(endpoint, maxConnections, waitMillis));
        }, waitMillis, TimeUnit.MILLISECONDS);
        waiters.addLast(w);
    }

    boolean hasWaiters() {
        return waiters != null && !waiters.isEmpty();
    }

    Waiter nextWaiter() {
        Waiter w = waiters == null ? null : waiters.pollFirst();
        if (w != null) {
            w.timeout.cancel(false);
            endpoint.releasePending();
        }
        return w;
    }

    private void onClosed() {
        assert loop.inEventLoop();
        open--;
        endpoint.openCounter().decrement();
        Waiter w;
        if (open < maxConnections && (w = nextWaiter()) != null) {
            connect(w.callback);
        }
    }

    void offer(UpstreamConnection c) {
        assert loop.inEventLoop();
        Waiter w = nextWaiter();
        if (w != null) {
            w.callback.onAcquired(c, true);
        } else if (retired || idle.size() >= maxIdle) {
            c.channel().close();
        } else {
            idle.addFirst(c);
            endpoint.idleCounter().increment();
        }
    }

    private UpstreamConnection pollIdle() {
        UpstreamConnection c = idle.pollFirst();
        if (c != null) {
            endpoint.idleCounter().decrement();
        }
        return c;
    }

    void remove(UpstreamConnection c) {
        assert loop.inEventLoop();
        if (idle.remove(c)) {
            endpoint.idleCounter().decrement();
        }
    }

    /** The endpoint left the cluster: close idle connections now and lent ones when they come back. */
    void retire() {
        retired = true;
        closeIdle();
        if (multiplexed != null) {
            multiplexed.retire();
        }
    }

    /** Closes every idle connection (shutdown). */
    public void closeIdle() {
        assert loop.inEventLoop();
        if (multiplexed != null) {
            multiplexed.closeIdle();
        }
        UpstreamConnection c;
        while ((c = pollIdle()) != null) {
            c.channel().close();
        }
    }

    static final class Waiter {
        final AcquireCallback callback;
        ScheduledFuture<?> timeout;

        Waiter(AcquireCallback callback) {
            this.callback = callback;
        }
    }
}
