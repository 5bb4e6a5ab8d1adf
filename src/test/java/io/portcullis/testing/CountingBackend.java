package io.portcullis.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An HTTP/1.1 backend on 127.0.0.1:0 for backpressure tests, whose byte counts the test reads while a transfer is
 * still running. Uploads are counted as they arrive and answered {@code body=N}; reading can be made to stop once a
 * given number of body bytes has arrived, and resumed by the test, so that the backend is the slow side.
 * {@code GET /bytes?n=N} streams N bytes, only while the socket is writable, counting what it wrote.
 */
public final class CountingBackend implements AutoCloseable {
    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicReference<Channel> paused = new AtomicReference<>();
    private volatile long pauseAt = Long.MAX_VALUE;
    private volatile HttpRequest lastRequest;

    public CountingBackend() throws InterruptedException {
        this.server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new Handler());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    public String address() {
        return "127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Body bytes received since the last {@link #reset()}, over all connections. */
    public long received() {
        return received.get();
    }

    /** Response body bytes written since the last {@link #reset()}. */
    public long sent() {
        return sent.get();
    }

    /** A header of the last request whose body ended, or null. */
    public String lastRequestHeader(String name) {
        HttpRequest r = lastRequest;
        return r == null ? null : r.headers().get(name);
    }

    public void reset() {
        received.set(0);
        sent.set(0);
    }

    /** Stops reading a connection once the body bytes received reach {@code bytes} (one time; then reads on). */
    public void pauseReadingAt(long bytes) {
        pauseAt = bytes;
    }

    /** Whether reading stopped at the {@link #pauseReadingAt} mark and waits for {@link #resumeReading()}. */
    public boolean pausedReading() {
        return paused.get() != null;
    }

    public void resumeReading() {
        Channel ch = paused.getAndSet(null);
        if (ch != null) {
            ch.config().setAutoRead(true);
        }
    }

    @Override
    public void close() {
        resumeReading();
        server.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private final class Handler extends SimpleChannelInboundHandler<HttpObject> {
        private HttpRequest request;
        private long bodyBytes;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpRequest r) {
                request = r;
                bodyBytes = 0;
            }
            if (msg instanceof HttpContent c) {
                int n = c.content().readableBytes();
                bodyBytes += n;
                if (received.addAndGet(n) >= pauseAt) {
                    pauseAt = Long.MAX_VALUE;
                    ctx.channel().config().setAutoRead(false);
                    paused.set(ctx.channel());
                }
                if (c instanceof LastHttpContent) {
                    lastRequest = request;
                    respond(ctx);
                }
            }
        }

        private void respond(ChannelHandlerContext ctx) {
            QueryStringDecoder q = new QueryStringDecoder(request.uri());
            if (q.path().equals("/bytes")) {
                List<String> n = q.parameters().get("n");
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                long length = n == null ? 0 : Long.parseLong(n.get(0));
                HttpUtil.setContentLength(head, length);
                ctx.write(head);
                new Streamer(ctx, length).run();
                return;
            }
            ByteBuf text = Unpooled.copiedBuffer(request.method() + " " + request.uri() + " body=" + bodyBytes,
                    StandardCharsets.UTF_8);
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, text);
            HttpUtil.setContentLength(r, text.readableBytes());
            ctx.writeAndFlush(r);
        }
    }

    /** Writes the body in 64 KiB chunks while the socket is writable, resuming when the flush completes. */
    private final class Streamer implements Runnable {
        private static final int CHUNK = 64 * 1024;
        private final ChannelHandlerContext ctx;
        private long remaining;

        Streamer(ChannelHandlerContext ctx, long length) {
            this.ctx = ctx;
            this.remaining = length;
        }

        @Override
        public void run() {
            while (remaining > 0 && ctx.channel().isWritable()) {
                int n = (int) Math.min(CHUNK, remaining);
                remaining -= n;
                sent.addAndGet(n);
                ctx.write(new DefaultHttpContent(ctx.alloc().buffer(n).writeZero(n)));
            }
            if (remaining > 0) {
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
                    if (f.isSuccess()) {
                        ctx.executor().execute(this);
                    }
                });
                return;
            }
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }
}
