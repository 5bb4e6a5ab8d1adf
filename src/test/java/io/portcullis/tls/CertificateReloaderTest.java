package io.portcullis.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SniHandler;
import io.netty.util.ReferenceCounted;
import io.portcullis.testing.LogCapture;
import io.portcullis.testing.TestCertificates;
import io.portcullis.testing.TestCertificates.Authority;
import io.portcullis.testing.TestCertificates.Issued;
import io.portcullis.testing.TestCertificates.KeyFormat;
import io.portcullis.testing.TestCertificates.KeyType;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real files, certificates minted per test and real handshakes: a Netty echo server on 127.0.0.1:0 behind
 * {@code SniHandler(reloader.mapping())}, and JDK client sockets that report the serial of the certificate served.
 */
class CertificateReloaderTest {
    private static final String HOST = "a.test";
    private static final Duration INTERVAL = Duration.ofMillis(200);
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;
    private final MultiThreadIoEventLoopGroup io = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final MultiThreadIoEventLoopGroup control = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final List<SniContexts> changes = new CopyOnWriteArrayList<>();
    private final LogCapture log = new LogCapture(CertificateReloader.class);
    private Authority ca;
    private Path crt;
    private Path key;
    private CertificateReloader reloader;
    private Channel server;

    @BeforeEach
    void files() {
        ca = TestCertificates.rootCa("Reload CA", KeyType.EC);
        crt = dir.resolve("server.crt");
        key = dir.resolve("server.key");
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.close().sync();
        }
        io.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync(); // closes the accepted connections and their engines
        if (reloader != null) {
            reloader.close();
            reloader.current().close(); // the caller's to close, as the Javadoc says
        }
        control.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        log.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"openssl", "jdk"})
    void newHandshakesGetTheNewCertificateAndOpenConnectionsKeepWorking(String providerName) throws Exception {
        TlsProvider provider = providerName.equals("openssl") ? TlsProvider.openSsl() : TlsProvider.jdk();
        Issued a = install(ca.issue(KeyType.EC, HOST));
        start(provider, true, Duration.ofMillis(100));
        SniContexts first = reloader.current();
        ReferenceCounted firstContext = first.select(HOST) instanceof ReferenceCounted counted ? counted : null;
        assertThat(firstContext != null).as("OpenSSL contexts are reference counted, the JDK's are not")
                .isEqualTo(providerName.equals("openssl"));

        try (SSLSocket before = connect()) {
            assertThat(serial(before)).isEqualTo(serial(a));
            assertThat(echo(before, "one")).isEqualTo("one");

            Issued b = install(ca.issue(KeyType.EC, HOST));
            await().atMost(WAIT).untilAsserted(() -> assertThat(servedSerial()).isEqualTo(serial(b)));
            assertThat(reloader.current()).isNotSameAs(first);
            assertThat(reloader.current().bundles().get(0).leaf()).isEqualTo(b.certificate());
            assertThat(changes).contains(reloader.current()).doesNotContain(first);
            assertThat(log.lines()).anyMatch(line -> line.contains(crt.toString()) && line.contains("not after")
                    && line.startsWith("INFO listener test: certificates reloaded (files "));

            if (firstContext != null) {
                // The reloader's reference is gone; the one left is the engine of the connection opened before.
                await().atMost(WAIT).until(firstContext::refCnt, count -> count == 1);
            }
            assertThat(serial(before)).as("the open connection keeps its session").isEqualTo(serial(a));
            assertThat(echo(before, "two")).isEqualTo("two");
        }
        if (firstContext != null) {
            await().atMost(WAIT).until(firstContext::refCnt, count -> count == 0);
        }
    }

    @Test
    void aBrokenFileIsRefusedOnceAndTheOldCertificateStays() throws Exception {
        Issued a = install(ca.issue(KeyType.EC, HOST));
        start(TlsProvider.openSsl(), true, Duration.ofMillis(100));
        SniContexts first = reloader.current();

        replaceAtomically(crt, "not a certificate\n");
        await().atMost(WAIT).until(() -> !warnings().isEmpty());
        assertThat(warnings()).hasSize(1);
        assertThat(warnings().get(0)).isEqualTo("WARN listener test: new certificates refused, keeping the ones "
                + "in use: " + crt + ": no PEM block (-----BEGIN ...-----) found");
        assertThat(servedSerial()).isEqualTo(serial(a));
        assertThat(reloader.current()).isSameAs(first);

        assertThat(reloader.checkNow().get(5, TimeUnit.SECONDS)).as("the same refused files").isFalse();
        await().during(INTERVAL.multipliedBy(4)).atMost(WAIT).until(() -> warnings().size() == 1);
        assertThat(changes).isEmpty();

        Issued c = install(ca.issue(KeyType.EC, HOST));
        await().atMost(WAIT).untilAsserted(() -> assertThat(servedSerial()).isEqualTo(serial(c)));
        assertThat(changes).last().isSameAs(reloader.current());
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedNamingTheKeyFile() throws Exception {
        Issued a = install(ca.issue(KeyType.EC, HOST));
        start(TlsProvider.openSsl(), true, Duration.ofMillis(100));

        Path otherKey = ca.issue(KeyType.EC, HOST).writeKey(dir.resolve("other.key"), KeyFormat.PKCS8);
        Files.move(otherKey, key, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        await().atMost(WAIT).until(() -> !warnings().isEmpty());
        assertThat(warnings().get(0)).endsWith(key + ": private key does not match the certificate in " + crt);
        assertThat(servedSerial()).isEqualTo(serial(a));
    }

    @Test
    void thePeriodicCheckAloneCatchesAChange() throws Exception {
        install(ca.issue(KeyType.EC, HOST));
        start(TlsProvider.openSsl(), false, Duration.ofMillis(100));

        Issued b = install(ca.issue(KeyType.EC, HOST));
        await().atMost(INTERVAL.multipliedBy(10))
                .untilAsserted(() -> assertThat(servedSerial()).isEqualTo(serial(b)));
    }

    /** A Kubernetes secret volume: the files link through {@code ..data}, which is swapped by one rename. */
    @Test
    void fileEventsAloneCatchASecretMountSwap() throws Exception {
        Issued a = ca.issue(KeyType.EC, HOST);
        secretMount(secretVersion("..v1", a));
        start(TlsProvider.openSsl(), Duration.ofHours(1), true, Duration.ofMillis(100));
        assertThat(servedSerial()).isEqualTo(serial(a));

        Issued b = ca.issue(KeyType.EC, HOST);
        secretMount(secretVersion("..v2", b));
        await().atMost(WAIT).untilAsserted(() -> assertThat(servedSerial()).isEqualTo(serial(b)));
        assertThat(warnings()).isEmpty();
    }

    /** A broken secret rolled back to the version in use: one WARN, then one INFO, and no reload. */
    @Test
    void filesBackToTheOnesInUseAreNotReloaded() throws Exception {
        Issued a = ca.issue(KeyType.EC, HOST);
        Path v1 = secretVersion("..v1", a);
        secretMount(v1);
        start(TlsProvider.openSsl(), Duration.ofHours(1), true, Duration.ofMillis(100));

        Path broken = secretVersion("..v2", a);
        Files.writeString(broken.resolve("server.crt"), "truncated");
        secretMount(broken);
        await().atMost(WAIT).until(() -> !warnings().isEmpty());
        secretMount(v1);
        await().atMost(WAIT).until(() -> log.lines().contains(
                "INFO listener test: certificate files are back to the ones in use"));

        assertThat(warnings()).hasSize(1);
        assertThat(changes).isEmpty();
        assertThat(servedSerial()).isEqualTo(serial(a));
    }

    @Test
    void certificateFirstAndKeyLaterEndsOnTheNewPair() throws Exception {
        Issued a = install(ca.issue(KeyType.EC, HOST));
        start(TlsProvider.openSsl(), true, Duration.ofMillis(100));

        Issued b = ca.issue(KeyType.EC, HOST);
        b.writeChain(crt);
        // The reloader sees the half-written pair and refuses it, as it must...
        await().atMost(WAIT).until(() -> warnings().stream()
                .anyMatch(line -> line.endsWith(key + ": private key does not match the certificate in " + crt)));
        assertThat(servedSerial()).isEqualTo(serial(a));
        // ...and takes the pair once the key follows.
        b.writeKey(key, KeyFormat.PKCS8);
        await().atMost(WAIT).untilAsserted(() -> assertThat(servedSerial()).isEqualTo(serial(b)));
        assertThat(reloader.current().bundles().get(0).privateKey().getEncoded())
                .isEqualTo(b.keys().getPrivate().getEncoded());
    }

    @Test
    void closeStopsReloadingAndClosesReplacedContextsAtOnce() throws Exception {
        install(ca.issue(KeyType.EC, HOST));
        start(TlsProvider.openSsl(), true, Duration.ofMinutes(1));
        SniContexts first = reloader.current();
        ReferenceCounted firstContext = (ReferenceCounted) first.select(HOST);

        install(ca.issue(KeyType.EC, HOST));
        await().atMost(WAIT).until(() -> reloader.current() != first);
        assertThat(firstContext.refCnt()).as("replaced, waiting out the retire delay").isEqualTo(1);

        reloader.close();
        assertThat(firstContext.refCnt()).isZero();
        SniContexts last = reloader.current();
        int changesBefore = changes.size();
        install(ca.issue(KeyType.EC, HOST));
        assertThat(reloader.checkNow().get(5, TimeUnit.SECONDS)).isFalse();
        assertThat(reloader.current()).isSameAs(last);
        assertThat(changes).hasSize(changesBefore);
        assertThat(((ReferenceCounted) last.select(HOST)).refCnt()).as("current is the caller's to close")
                .isEqualTo(1);
    }

    @Test
    void settingsAreValidated() throws Exception {
        install(ca.issue(KeyType.EC, HOST));
        try (SniContexts contexts = build(TlsProvider.openSsl())) {
            assertThatThrownBy(() -> CertificateReloader.start("test", List.of(crt), Duration.ZERO, contexts,
                    () -> contexts, control.next(), changes::add))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("interval must be > 0, was PT0S");
            assertThatThrownBy(() -> CertificateReloader.start("test", List.of(), INTERVAL, contexts,
                    () -> contexts, control.next(), changes::add))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("files must not be empty");
        }
    }

    private void start(TlsProvider provider, boolean watch, Duration retireDelay) throws Exception {
        start(provider, INTERVAL, watch, retireDelay);
    }

    private void start(TlsProvider provider, Duration interval, boolean watch, Duration retireDelay)
            throws Exception {
        reloader = CertificateReloader.start("test", List.of(crt, key), interval, build(provider),
                () -> build(provider), control.next(), changes::add, watch, retireDelay);
        server = new ServerBootstrap().group(io).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new SniHandler(reloader.mapping()), new Echo());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    private SniContexts build(TlsProvider provider) throws TlsConfigException {
        return SniContexts.builder(provider).defaultBundle(CertificateBundle.load(crt, key, Clock.systemUTC()))
                .build();
    }

    /** Writes chain and key over the files in place, certificate first, as certbot or an operator would. */
    private Issued install(Issued leaf) {
        leaf.writeChain(crt);
        leaf.writeKey(key, KeyFormat.PKCS8);
        return leaf;
    }

    /** One version of a secret volume, as the kubelet writes it: a directory of its own. */
    private Path secretVersion(String version, Issued leaf) throws Exception {
        Path directory = Files.createDirectory(dir.resolve(version));
        leaf.writeChain(directory.resolve("server.crt"));
        leaf.writeKey(directory.resolve("server.key"), KeyFormat.PKCS8);
        return directory;
    }

    /** Points {@code ..data} at {@code version} with one rename, and the files at {@code ..data} the first time. */
    private void secretMount(Path version) throws Exception {
        Path staged = Files.createSymbolicLink(dir.resolve("..data_tmp"), version.getFileName());
        Files.move(staged, dir.resolve("..data"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        if (!Files.isSymbolicLink(crt)) {
            Files.createSymbolicLink(crt, Path.of("..data", "server.crt"));
            Files.createSymbolicLink(key, Path.of("..data", "server.key"));
        }
    }

    /** A rename, so no check can catch the file half written and refuse it twice. */
    private void replaceAtomically(Path file, String content) throws Exception {
        Path staged = Files.writeString(dir.resolve(file.getFileName() + ".new"), content);
        Files.move(staged, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private List<String> warnings() {
        return log.lines().stream().filter(line -> line.startsWith("WARN ")).toList();
    }

    private BigInteger servedSerial() throws Exception {
        try (SSLSocket socket = connect()) {
            return serial(socket);
        }
    }

    /** A handshake with SNI {@link #HOST}; a fresh client context each time, so no session is resumed. */
    private SSLSocket connect() throws Exception {
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        Socket plain = new Socket("127.0.0.1", port);
        SSLSocket socket = (SSLSocket) clientTrusting(ca.certificate()).getSocketFactory()
                .createSocket(plain, HOST, port, true);
        socket.setSoTimeout(5_000);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    private static BigInteger serial(SSLSocket socket) throws Exception {
        return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }

    private static BigInteger serial(Issued leaf) {
        return leaf.certificate().getSerialNumber();
    }

    private static String echo(SSLSocket socket, String text) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        InputStream in = socket.getInputStream();
        return new String(in.readNBytes(bytes.length), StandardCharsets.US_ASCII);
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

    /** Sends back what it reads; the write passes each buffer on, so nothing is left to release. */
    @ChannelHandler.Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }
}
