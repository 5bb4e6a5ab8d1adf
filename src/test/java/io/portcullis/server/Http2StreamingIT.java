package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portcullis.testing.CountingBackend;
import io.portcullis.testing.GatewayProcess;
import io.portcullis.testing.H2cClient;
import io.portcullis.testing.RssSampler;
import io.portcullis.testing.TlsFixture;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/2 bodies stream with flow control tied to backpressure, through a gateway JVM limited to a 64 MiB heap (and
 * so, by default, 64 MiB of direct memory): 1 GiB up and 1 GiB down over h2 (TLS, ALPN), 1 GiB up over
 * prior-knowledge h2c. A quarter of the way through each h2 transfer the far side stops reading for a while, and
 * the near side must stop too, with no more than a bound in flight between them: a stream window that kept opening
 * while the HTTP/1.1 upstream (or the client) was not keeping up would let the gateway buffer the body until its
 * memory ran out. Logs time, throughput, the bytes in flight during the stall and the gateway's peak resident set.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class Http2StreamingIT {
    private static final Logger LOG = LoggerFactory.getLogger(Http2StreamingIT.class);
    static final long GIB = 1L << 30;
    static final long MIB = 1L << 20;
    /**
     * What may sit between a stalled reader and its writer: kernel socket buffers of two loopback hops (a few MiB
     * each), the gateway's stream and connection windows (1 MiB each), Netty's write buffers; going down, also the
     * JDK client's own 16 MiB stream window. Observed: 8-16 MiB up, 12-21 MiB down. A gateway that does not pause
     * buffers on until its 64 MiB of direct memory run out (about 54 MiB up, seen with the pause removed).
     */
    static final long UPLOAD_IN_FLIGHT_BOUND = 32 * MIB;
    static final long DOWNLOAD_IN_FLIGHT_BOUND = 48 * MIB;
    static final Duration TRANSFER_TIMEOUT = Duration.ofSeconds(120);
    static final Duration STALL = Duration.ofSeconds(2);
    private static final Pattern H2C_LISTENING = Pattern.compile("listener h2c on /127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    static Path dir;
    static TlsFixture tls;
    static CountingBackend backend;
    static GatewayProcess gateway;
    static int h2cPort;

    @BeforeAll
    static void start() throws Exception {
        tls = new TlsFixture(dir);
        backend = new CountingBackend();
        Path config = dir.resolve("h2-streaming.yaml");
        Files.writeString(config, """
                access_log: { enabled: false }
                server: { event_loops: 1 }
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                %s  - name: h2c
                    address: 127.0.0.1:0
                    http2: { h2c: true }
                routes:
                  - name: all
                    match: { path_prefix: / }
                    cluster: backend
                    timeout: 60s
                    max_body_size: 2GiB
                clusters:
                  - name: backend
                    endpoints: [ "%s" ]
                """.formatted(tls.listenerTls(""), backend.address()));
        gateway = GatewayProcess.run(config, "-Xmx64m");
        // run() returns once the public listener is bound; the h2c one is logged just after.
        h2cPort = await().atMost(Duration.ofSeconds(10)).until(() -> {
            Matcher m = H2C_LISTENING.matcher(gateway.output());
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        }, port -> port > 0);
    }

    @AfterAll
    static void stop() throws IOException {
        if (gateway != null) {
            gateway.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @BeforeEach
    void resetCounts() {
        backend.reset();
    }

    @Test
    void oneGibUploadOverH2PausesWithTheUpstream() throws Exception {
        HttpClient client = tls.client(HttpClient.Version.HTTP_2, null);
        GeneratedInputStream body = new GeneratedInputStream(GIB);
        HttpRequest request = HttpRequest.newBuilder(https("/upload")).timeout(TRANSFER_TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> body)).build();
        backend.pauseReadingAt(256 * MIB);
        HttpResponse<String> r;
        long started = System.nanoTime();
        try (RssSampler rss = RssSampler.start(gateway.process().pid(), 250)) {
            CompletableFuture<HttpResponse<String>> answer =
                    client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
            await().atMost(TRANSFER_TIMEOUT).until(backend::pausedReading);
            long stalledAt = backend.received();
            // While the backend reads nothing, the client must soon be unable to send: its stream window stays shut.
            await().during(STALL).atMost(STALL.multipliedBy(2))
                    .untilAsserted(() -> assertThat(body.produced() - stalledAt)
                            .as("bytes the client sent past the stalled backend").isLessThanOrEqualTo(
                                    UPLOAD_IN_FLIGHT_BOUND));
            LOG.info("h2 upload, backend stalled at {} MiB: the client got {} MiB further, then stopped",
                    stalledAt / MIB, (body.produced() - stalledAt) / MIB);
            backend.resumeReading();
            r = answerOf(answer);
            report("h2 (TLS) upload, with a " + STALL.toSeconds() + " s backend stall", started, rss);
        }
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("POST /upload body=" + GIB);
        assertThat(backend.received()).isEqualTo(GIB);
        // No length from the client: the HTTP/1.1 upstream gets the stream's DATA frames as chunks.
        assertThat(backend.lastRequestHeader("transfer-encoding")).isEqualTo("chunked");
        assertGatewayHealthy();
    }

    @Test
    void oneGibDownloadOverH2PausesWithTheClient() throws Exception {
        HttpClient client = tls.client(HttpClient.Version.HTTP_2, null);
        HttpRequest request = HttpRequest.newBuilder(https("/bytes?n=" + GIB)).timeout(TRANSFER_TIMEOUT).build();
        long total = 0;
        long started = System.nanoTime();
        long deadline = started + TRANSFER_TIMEOUT.toNanos();
        try (RssSampler rss = RssSampler.start(gateway.process().pid(), 250)) {
            HttpResponse<InputStream> r = answerOf(
                    client.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream()));
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValueAsLong("content-length")).hasValue(GIB);
            try (InputStream in = r.body()) {
                byte[] buf = new byte[256 * 1024];
                boolean stalled = false;
                int n;
                while ((n = in.read(buf)) >= 0) {
                    total += n;
                    if (!stalled && total >= 256 * MIB) {
                        stalled = true;
                        long readAt = total;
                        // The client reads nothing: its window stays shut, so the gateway must stop reading upstream.
                        await().during(STALL).atMost(STALL.multipliedBy(2))
                                .untilAsserted(() -> assertThat(backend.sent() - readAt)
                                        .as("bytes the backend sent past the stalled client")
                                        .isLessThanOrEqualTo(DOWNLOAD_IN_FLIGHT_BOUND));
                        LOG.info("h2 download, client stalled at {} MiB: the backend got {} MiB further, then stopped",
                                readAt / MIB, (backend.sent() - readAt) / MIB);
                    }
                    if (System.nanoTime() - deadline > 0) {
                        throw new AssertionError("download not done in " + TRANSFER_TIMEOUT + ": " + total + " bytes");
                    }
                }
            }
            report("h2 (TLS) download, with a " + STALL.toSeconds() + " s client stall", started, rss);
        }
        assertThat(total).isEqualTo(GIB);
        assertThat(backend.sent()).isEqualTo(GIB);
        assertGatewayHealthy();
    }

    @Test
    void oneGibUploadOverH2cPriorKnowledgeStreams() throws Exception {
        H2cClient.Response r;
        long started = System.nanoTime();
        try (H2cClient client = new H2cClient(h2cPort);
                RssSampler rss = RssSampler.start(gateway.process().pid(), 250)) {
            r = answerOf(client.post("/upload-h2c", GIB));
            report("h2c upload", started, rss);
        }
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("POST /upload-h2c body=" + GIB);
        assertThat(backend.received()).isEqualTo(GIB);
        assertThat(backend.lastRequestHeader("content-length")).isEqualTo(Long.toString(GIB));
        assertThat(backend.lastRequestHeader("x-forwarded-proto")).isEqualTo("http");
        assertGatewayHealthy();
    }

    /** The answer, or a failure that shows how the gateway fared (an OutOfMemoryError, say). */
    private static <T> T answerOf(CompletableFuture<T> answer) throws Exception {
        try {
            return answer.get(TRANSFER_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            String log = gateway.output();
            throw new AssertionError("no answer (" + e.getCause() + "); gateway "
                    + (gateway.process().isAlive() ? "alive" : "exited") + ", its log ends:\n"
                    + log.substring(Math.max(0, log.length() - 4000)), e);
        }
    }

    private static URI https(String path) {
        return URI.create("https://localhost:" + gateway.port() + path);
    }

    private static void report(String what, long startedNanos, RssSampler rss) {
        long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos));
        LOG.info("{}: 1 GiB in {} ms, {} MiB/s; gateway (-Xmx64m) peak RSS {} MiB over {} samples", what, millis,
                String.format("%.1f", 1024.0 * 1000 / millis), rss.peakMib(), rss.samples());
    }

    private static void assertGatewayHealthy() throws IOException {
        assertThat(gateway.process().isAlive()).isTrue();
        assertThat(gateway.output()).doesNotContain("OutOfMemoryError");
    }

    /** {@code length} bytes made up as they are read (the client never holds the body either), counted. */
    static final class GeneratedInputStream extends InputStream {
        private final AtomicLong produced = new AtomicLong();
        private final long length;

        GeneratedInputStream(long length) {
            this.length = length;
        }

        long produced() {
            return produced.get();
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0];
        }

        @Override
        public int read(byte[] b, int off, int len) {
            long remaining = length - produced.get();
            if (remaining == 0) {
                return -1;
            }
            int n = (int) Math.min(len, remaining);
            Arrays.fill(b, off, off + n, (byte) 'x');
            produced.addAndGet(n);
            return n;
        }
    }
}
