package io.portcullis.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
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
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/1.1 backend on 127.0.0.1:0 for tests, with behaviours chosen by path. It never aggregates bodies:
 * uploads are counted as they stream, downloads are generated as the socket drains.
 *
 * <ul>
 *   <li>{@code /bytes?n=N[&chunked=1]}: N bytes of body, Content-Length or chunked
 *   <li>{@code /status/CODE}: that status, empty body (no body for 204/304)
 *   <li>{@code /delay?ms=M}: answers after M ms
 *   <li>{@code /hang}: never answers
 *   <li>{@code /die?after=N}: promises 1 MiB, sends N bytes, closes
 *   <li>{@code /cookies}: three Set-Cookie fields and an ordered custom field list
 *   <li>{@code /trailers}: chunked body with a trailer field
 *   <li>anything else: 200 echo of the request head as text ({@link #lastRequest()} holds the details)
 * </ul>
 */
public final class TestBackend implements AutoCloseable {
    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final ConcurrentLinkedQueue<Recorded> requests = new ConcurrentLinkedQueue<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> clientSubjects = new ConcurrentLinkedQueue<>();
    private final String name;

    /** A request as the backend saw it: head fields in order, body size, trailers. */
    public record Recorded(String method, String uri, String version, List<Map.Entry<String, String>> headers,
            long bodyBytes, List<Map.Entry<String, String>> trailers) {
        public List<String> all(String name) {
            return FieldList.all(headers, name);
        }

        public String header(String name) {
            return FieldList.first(headers, name);
        }
    }

    public TestBackend() throws InterruptedException {
        this("backend");
    }

    public TestBackend(String name) throws InterruptedException {
        this(name, 0);
    }

    public TestBackend(String name, int port) throws InterruptedException {
        this(name, port, null);
    }

    /**
     * A backend behind TLS with {@code ssl} (a server context); the subject of each client certificate presented
     * is kept in {@link #clientSubjects()}.
     */
    public TestBackend(String name, int port, SslContext ssl) throws InterruptedException {
        this(name, port, ssl, false);
    }

    /** A backend speaking only cleartext HTTP/2 with prior knowledge (h2c), each stream served like a request. */
    public static TestBackend h2c(String name) throws InterruptedException {
        return new TestBackend(name, 0, null, true);
    }

    private TestBackend(String name, int port, SslContext ssl, boolean h2c) throws InterruptedException {
        this.name = name;
        this.server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.incrementAndGet();
                        if (ssl != null) {
                            SslHandler handler = ssl.newHandler(ch.alloc());
                            ch.pipeline().addLast(handler);
                            handler.handshakeFuture().addListener(done -> {
                                if (done.isSuccess()) {
                                    try {
                                        clientSubjects.add(((X509Certificate) handler.engine().getSession()
                                                .getPeerCertificates()[0]).getSubjectX500Principal().getName());
                                    } catch (SSLPeerUnverifiedException e) {
                                        clientSubjects.add("(none)");
                                    }
                                }
                            });
                        }
                        if (h2c) {
                            ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                                    new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                        @Override
                                        protected void initChannel(Http2StreamChannel stream) {
                                            stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true),
                                                    new Handler());
                                        }
                                    }));
                            return;
                        }
                        ch.pipeline().addLast(new HttpServerCodec(), new Handler());
                    }
                })
                .bind("127.0.0.1", port).sync().channel();
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    public List<Recorded> requests() {
        return List.copyOf(requests);
    }

    public Recorded lastRequest() {
        Recorded last = null;
        for (Recorded r : requests) {
            last = r;
        }
        return last;
    }

    /** TLS backends: the subject of each connection's client certificate, or "(none)". */
    public List<String> clientSubjects() {
        return List.copyOf(clientSubjects);
    }

    public int requestCount() {
        return requests.size();
    }

    /** TCP connections accepted so far. */
    public int connectionCount() {
        return connections.get();
    }

    @Override
    public void close() {
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
                bodyBytes += c.content().readableBytes();
                if (c instanceof LastHttpContent last) {
                    List<Map.Entry<String, String>> trailers = new ArrayList<>();
                    last.trailingHeaders().forEach(trailers::add);
                    List<Map.Entry<String, String>> heads = new ArrayList<>();
                    request.headers().forEach(heads::add);
                    requests.add(new Recorded(request.method().name(), request.uri(),
                            request.protocolVersion().text(), heads, bodyBytes, trailers));
                    respond(ctx, request, bodyBytes);
                }
            }
        }

        private void respond(ChannelHandlerContext ctx, HttpRequest req, long received) {
            QueryStringDecoder q = new QueryStringDecoder(req.uri());
            String path = q.path();
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            if (path.equals("/bytes")) {
                long n = Long.parseLong(param(q, "n", "0"));
                boolean chunked = param(q, "chunked", "0").equals("1");
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                if (chunked) {
                    HttpUtil.setTransferEncodingChunked(head, true);
                } else {
                    HttpUtil.setContentLength(head, n);
                }
                ctx.write(head);
                new Streamer(ctx, n, keepAlive).run();
                return;
            }
            if (path.startsWith("/status/")) {
                int code = Integer.parseInt(path.substring("/status/".length()));
                FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        HttpResponseStatus.valueOf(code));
                if (code != 204 && code != 304) {
                    HttpUtil.setContentLength(r, 0);
                }
                send(ctx, r, keepAlive);
                return;
            }
            if (path.equals("/delay")) {
                long ms = Long.parseLong(param(q, "ms", "100"));
                ctx.executor().schedule(() -> send(ctx, text("delayed " + ms), keepAlive), ms, TimeUnit.MILLISECONDS);
                return;
            }
            if (path.equals("/hang")) {
                return;
            }
            if (path.equals("/die")) {
                int after = Integer.parseInt(param(q, "after", "100"));
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                HttpUtil.setContentLength(head, 1 << 20);
                ctx.write(head);
                ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[after])))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            if (path.equals("/cookies")) {
                FullHttpResponse r = text("cookies");
                r.headers().add("x-first", "1").add(HttpHeaderNames.SET_COOKIE, "a=1")
                        .add("x-second", "2").add(HttpHeaderNames.SET_COOKIE, "b=2")
                        .add(HttpHeaderNames.SET_COOKIE, "c=3; Path=/").add("x-third", "3");
                send(ctx, r, keepAlive);
                return;
            }
            if (path.equals("/trailers")) {
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                HttpUtil.setTransferEncodingChunked(head, true);
                head.headers().set(HttpHeaderNames.TRAILER, "x-checksum");
                ctx.write(head);
                ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer("part1", StandardCharsets.US_ASCII)));
                LastHttpContent last = new DefaultLastHttpContent(
                        Unpooled.copiedBuffer("part2", StandardCharsets.US_ASCII));
                last.trailingHeaders().set("x-checksum", "abc123");
                ctx.writeAndFlush(last);
                return;
            }
            FullHttpResponse r = text(name + " " + req.method() + " " + req.uri() + " body=" + received);
            r.headers().set("x-backend", name);
            send(ctx, r, keepAlive);
        }

        private void send(ChannelHandlerContext ctx, FullHttpResponse r, boolean keepAlive) {
            if (!keepAlive) {
                r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(r);
            }
        }
    }

    private static FullHttpResponse text(String body) {
        ByteBuf buf = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, buf);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
        HttpUtil.setContentLength(r, buf.readableBytes());
        return r;
    }

    private static String param(QueryStringDecoder q, String name, String dflt) {
        List<String> v = q.parameters().get(name);
        return v == null || v.isEmpty() ? dflt : v.get(0);
    }

    /** Writes N bytes in 64 KiB chunks, only while the socket is writable (so it never buffers the whole body). */
    private static final class Streamer implements Runnable {
        private static final int CHUNK = 64 * 1024;
        private final ChannelHandlerContext ctx;
        private final boolean keepAlive;
        private long remaining;

        Streamer(ChannelHandlerContext ctx, long n, boolean keepAlive) {
            this.ctx = ctx;
            this.remaining = n;
            this.keepAlive = keepAlive;
        }

        @Override
        public void run() {
            Channel ch = ctx.channel();
            while (remaining > 0 && ch.isWritable()) {
                int n = (int) Math.min(CHUNK, remaining);
                remaining -= n;
                ByteBuf buf = ctx.alloc().buffer(n);
                buf.writerIndex(n);
                ctx.write(new DefaultHttpContent(buf));
            }
            if (remaining > 0) {
                // An empty part, not a bare buffer: the HTTP/2 stream codec only takes HTTP objects.
                ctx.writeAndFlush(new DefaultHttpContent(Unpooled.EMPTY_BUFFER)).addListener(f -> {
                    if (f.isSuccess()) {
                        ctx.executor().execute(this);
                    }
                });
                return;
            }
            var f = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
