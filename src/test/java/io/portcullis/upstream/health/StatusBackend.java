package io.portcullis.upstream.health;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A health endpoint on 127.0.0.1:0 whose answer the test switches while checks run (TestBackend picks its status by
 * path, which a checker never changes). It records when each check arrived and was answered, for counting checks
 * and measuring the spacing between them, and how many check connections are open.
 */
final class StatusBackend implements AutoCloseable {
    /** Never answer (a hung backend). */
    static final int HANG = 0;

    /** One request: the status it got (or {@link #HANG}) and when it arrived and was answered, in nanoTime. */
    record Served(int status, long arrivedNanos, long answeredNanos) {
    }

    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final AtomicInteger status;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();
    private final ConcurrentLinkedQueue<Served> served = new ConcurrentLinkedQueue<>();

    StatusBackend(int initialStatus) throws InterruptedException {
        this.status = new AtomicInteger(initialStatus);
        this.server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted.incrementAndGet();
                        open.incrementAndGet();
                        ch.closeFuture().addListener(f -> open.decrementAndGet());
                        ch.pipeline().addLast(new HttpServerCodec(), new Handler());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    String name() {
        return "127.0.0.1:" + address().getPort();
    }

    void status(int code) {
        status.set(code);
    }

    List<Served> served() {
        return List.copyOf(served);
    }

    int requestCount() {
        return served.size();
    }

    /** Requests answered with {@code code} so far. */
    int count(int code) {
        return (int) served.stream().filter(s -> s.status() == code).count();
    }

    /** Connections accepted so far. */
    int accepted() {
        return accepted.get();
    }

    /** Check connections currently open. */
    int openConnections() {
        return open.get();
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private final class Handler extends SimpleChannelInboundHandler<HttpObject> {
        private long arrived;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpRequest) {
                arrived = System.nanoTime();
            }
            if (!(msg instanceof LastHttpContent)) {
                return;
            }
            int code = status.get();
            if (code == HANG) {
                served.add(new Served(HANG, arrived, 0));
                return;
            }
            // A body the checker has to read past and release.
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code),
                    Unpooled.copiedBuffer("health body ".repeat(20), StandardCharsets.US_ASCII));
            HttpUtil.setContentLength(r, r.content().readableBytes());
            served.add(new Served(code, arrived, System.nanoTime()));
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
