package io.portcullis.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
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
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.portcullis.testing.TestCertificates;
import io.portcullis.testing.TestCertificates.Authority;
import io.portcullis.testing.TestCertificates.KeyFormat;
import io.portcullis.testing.TestCertificates.KeyType;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A real TLS listener: a tiny Netty server behind {@code SniHandler(contexts.mapping())}, real client sockets. */
class TlsHandshakeTest {
    private static final String BODY = "hello over tls";

    @TempDir
    Path dir;
    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private SniContexts contexts;
    private Channel server;
    private Authority ca;

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.close().sync();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        if (contexts != null) {
            contexts.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"openssl", "jdk"})
    void eachNameGetsItsOwnCertificate(String providerName) throws Exception {
        start(providerName.equals("openssl") ? TlsProvider.openSsl() : TlsProvider.jdk());
        SSLContext client = clientTrusting(ca.certificate());

        assertThat(sanOfPeer(client, "a.example.com", true)).containsExactly("*.example.com");
        assertThat(sanOfPeer(client, "b.example.org", true)).containsExactly("b.example.org");
        assertThat(sanOfPeer(client, "c.b.example.org", false)).as("unknown name: default")
                .containsExactly("default.test");
        assertThat(sanOfPeer(client, "127.0.0.1", false)).as("no SNI for an IP literal: default")
                .containsExactly("default.test");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"openssl", "jdk"})
    void tls11IsRefusedAndTls12Accepted(String providerName) throws Exception {
        start(providerName.equals("openssl") ? TlsProvider.openSsl() : TlsProvider.jdk());
        // The JDK client disables TLSv1.1 itself (jdk.tls.disabledAlgorithms) and would never offer it, which would
        // prove nothing about the server; BoringSSL still speaks it as a client.
        Future<Channel> tls11 = handshake("TLSv1.1");
        assertThat(tls11.isSuccess()).isFalse();
        assertThat(tls11.cause()).hasStackTraceContaining("PROTOCOL_VERSION");

        Future<Channel> tls12 = handshake("TLSv1.2");
        assertThat(tls12.isSuccess()).as("control: same client with TLSv1.2, cause %s", tls12.cause()).isTrue();
        assertThat(tls12.getNow().pipeline().get(SslHandler.class).engine().getSession().getProtocol())
                .isEqualTo("TLSv1.2");
        tls12.getNow().close().sync();
    }

    private void start(TlsProvider provider) throws Exception {
        ca = TestCertificates.rootCa("Handshake CA", KeyType.RSA);
        Authority intermediate = ca.intermediate("Handshake Intermediate", KeyType.EC);
        contexts = SniContexts.builder(provider)
                .defaultBundle(bundle(ca, "default", KeyType.RSA, "default.test"))
                .add(bundle(intermediate, "wildcard", KeyType.EC, "*.example.com"))
                .add(bundle(ca, "org", KeyType.RSA, "b.example.org"))
                .build();
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new SniHandler(contexts.mapping()), new HttpServerCodec(),
                                new FixedResponse());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    private CertificateBundle bundle(Authority issuer, String file, KeyType type, String name) throws Exception {
        TestCertificates.Issued leaf = issuer.issue(type, name);
        return CertificateBundle.load(leaf.writeChain(dir.resolve(file + ".crt")),
                leaf.writeKey(dir.resolve(file + ".key"), KeyFormat.TRADITIONAL), Clock.systemUTC());
    }

    private int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Connects with SNI {@code host}, checks the fixed HTTP answer, and returns the peer leaf's SAN dNSNames. */
    private List<String> sanOfPeer(SSLContext client, String host, boolean verifyHostname) throws Exception {
        try (Socket plain = new Socket("127.0.0.1", port());
                SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(plain, host, port(), true)) {
            socket.setSoTimeout(10_000);
            SSLParameters parameters = socket.getSSLParameters();
            if (verifyHostname) {
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
            }
            socket.setSSLParameters(parameters);
            OutputStream out = socket.getOutputStream();
            out.write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(response).startsWith("HTTP/1.1 200 OK").endsWith(BODY);
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
            X509Certificate peer = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            assertThat(socket.getSession().getPeerCertificates()).hasSizeGreaterThanOrEqualTo(1);
            return peer.getSubjectAlternativeNames().stream().filter(san -> (Integer) san.get(0) == 2)
                    .map(san -> (String) san.get(1)).toList();
        }
    }

    private Future<Channel> handshake(String protocol) throws Exception {
        SslContext client = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL).protocols(protocol)
                .trustManager(ca.certificate()).build();
        // Kept from the initializer: a refused handshake can close the channel (and empty its pipeline) before
        // connect() returns here.
        AtomicReference<SslHandler> handler = new AtomicReference<>();
        try {
            Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            SslHandler ssl = client.newHandler(ch.alloc(), "default.test", port());
                            handler.set(ssl);
                            ch.pipeline().addLast(ssl);
                        }
                    })
                    .connect("127.0.0.1", port()).sync().channel();
            Future<Channel> done = handler.get().handshakeFuture();
            done.await(10, TimeUnit.SECONDS);
            if (!done.isSuccess()) {
                channel.close().sync();
            }
            return done;
        } finally {
            ReferenceCountUtil.release(client);
        }
    }

    private static SSLContext clientTrusting(X509Certificate root) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", root);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    /** Answers every request with 200 and {@link #BODY}, then closes. */
    private static final class FixedResponse extends SimpleChannelInboundHandler<HttpObject> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof LastHttpContent) {
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.copiedBuffer(BODY, StandardCharsets.US_ASCII));
                response.headers().set(HttpHeaderNames.CONTENT_LENGTH, BODY.length());
                response.headers().set(HttpHeaderNames.CONNECTION, "close");
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
