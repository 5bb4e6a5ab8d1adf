package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.RawClient;
import io.portcullis.testing.TestBackend;
import io.portcullis.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * End-to-end, over real sockets: clients that are slow on purpose. A slowloris trickling its head is cut off by
 * {@code header_read_timeout} with a 408; an idle keep-alive connection is closed by {@code idle_timeout}; and
 * hundreds of silent connections do not starve a real client.
 */
class SlowClientTest {
    private static final long MARGIN_MS = 1000;

    TestBackend backend;
    TestGateway gw;

    @AfterEach
    void stop() {
        if (gw != null) {
            gw.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private void start(String headerReadTimeout, String idleTimeout) throws Exception {
        backend = new TestBackend();
        gw = TestGateway.start("""
                access_log:
                  enabled: false
                server:
                  event_loops: 1
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                    header_read_timeout: %s
                    idle_timeout: %s
                routes:
                  - name: all
                    match:
                      path_prefix: /
                    cluster: backend
                    timeout: 2s
                clusters:
                  - name: backend
                    endpoints:
                      - ${ORIGIN}
                """.formatted(headerReadTimeout, idleTimeout), Map.of("ORIGIN", backend.address()));
    }

    /**
     * Slowloris: a partial head, then one byte every 200 ms, forever. Each byte resets any naive idle timer, so
     * only a deadline on the whole head stops it: 408 and a closed connection within header_read_timeout + margin.
     */
    @Test
    void slowlorisGets408WithinTheHeaderReadTimeout() throws Exception {
        start("1s", "30s");
        Trickler trickler = new Trickler();
        try (Socket s = connect(gw.port())) {
            OutputStream out = s.getOutputStream();
            long startNanos = System.nanoTime();
            out.write("GET /slow HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            trickler.start(out, new byte[] {'a'}, 200);

            Read read = assertCutOffWith408(s, startNanos, trickler.sent() + " trickled bytes");
            assertThat(read.text()).as(read.text()).contains("\"error\":\"HEADER_READ_TIMEOUT\"");
            assertThat(trickler.sent()).as("the client was still trickling").isGreaterThanOrEqualTo(3);
        } finally {
            trickler.close();
        }
        assertThat(backend.requestCount()).isZero();
        assertThat(backend.connectionCount()).isZero();
    }

    /** Same attack, but trickling the request line itself, before any header arrives. */
    @Test
    void slowRequestLineGets408WithinTheHeaderReadTimeout() throws Exception {
        start("1s", "30s");
        Trickler trickler = new Trickler();
        try (Socket s = connect(gw.port())) {
            OutputStream out = s.getOutputStream();
            long startNanos = System.nanoTime();
            out.write("GET /".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            trickler.start(out, new byte[] {'a'}, 200);

            assertCutOffWith408(s, startNanos, "");
        } finally {
            trickler.close();
        }
        assertThat(backend.requestCount()).isZero();
    }

    /** The deadline applies to every head on a keep-alive connection, not only the first. */
    @Test
    void slowlorisOnTheSecondRequestOfAKeepAliveConnectionGets408() throws Exception {
        start("1s", "30s");
        Trickler trickler = new Trickler();
        try (Socket s = connect(gw.port())) {
            OutputStream out = s.getOutputStream();
            out.write("GET /first HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            s.setSoTimeout(3000);
            assertThat(RawClient.status(readOneResponse(s.getInputStream()))).isEqualTo(200);

            long startNanos = System.nanoTime();
            out.write("GET /second HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            trickler.start(out, new byte[] {'a'}, 200);

            assertCutOffWith408(s, startNanos, "");
        } finally {
            trickler.close();
        }
        assertThat(backend.requests()).extracting(TestBackend.Recorded::uri).containsExactly("/first");
    }

    /**
     * RFC 9112 §2.2 lets a server ignore empty lines before a request line, but not forever: a client that sends
     * nothing but CRLF every 200 ms is a slowloris too, and must not hold the connection past the header-read
     * deadline (here idle_timeout is 30 s, so only header_read_timeout can stop it).
     */
    @Test
    void crlfTricklerIsCutOffWithinTheHeaderReadTimeout() throws Exception {
        start("1s", "30s");
        Trickler trickler = new Trickler();
        try (Socket s = connect(gw.port())) {
            OutputStream out = s.getOutputStream();
            long startNanos = System.nanoTime();
            trickler.start(out, "\r\n".getBytes(StandardCharsets.US_ASCII), 0);

            s.setSoTimeout((int) (1000 + MARGIN_MS + 2000));
            Read read = readUntilClose(s.getInputStream());
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);

            String what = "(waited %d ms, sent %d CRLFs, received: '%s')".formatted(elapsedMs, trickler.sent(),
                    read.text());
            assertThat(read.closed()).as("closed " + what).isTrue();
            assertThat(elapsedMs).as("time to close " + what).isLessThanOrEqualTo(1000 + MARGIN_MS);
            if (!read.text().isEmpty()) {
                assertThat(RawClient.status(read.text())).as("status " + what).isEqualTo(408);
            }
        } finally {
            trickler.close();
        }
        assertThat(backend.connectionCount()).isZero();
    }

    /** After a complete exchange, a keep-alive connection with nothing more to say is closed after idle_timeout. */
    @Test
    void idleKeepAliveConnectionIsClosedAfterIdleTimeout() throws Exception {
        start("10s", "1s");
        try (Socket s = connect(gw.port())) {
            s.getOutputStream().write("GET /first HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            s.setSoTimeout(3000);
            String response = readOneResponse(s.getInputStream());
            long idleSince = System.nanoTime();
            assertThat(RawClient.status(response)).as(response).isEqualTo(200);
            assertThat(response).as("kept alive").doesNotContainIgnoringCase("connection: close");

            s.setSoTimeout(5000);
            Read rest = readUntilClose(s.getInputStream());
            long idleMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - idleSince);

            assertThat(rest.closed()).as("closed after %d ms idle", idleMs).isTrue();
            assertThat(rest.text()).as("nothing is sent on an idle close").isEmpty();
            assertThat(idleMs).as("idle time before close").isBetween(800L, 1000 + MARGIN_MS);
        }
        assertThat(backend.requestCount()).isEqualTo(1);
    }

    /** A connection that never sends a byte is idle too. */
    @Test
    void silentConnectionIsClosedAfterIdleTimeout() throws Exception {
        start("10s", "1s");
        try (Socket s = connect(gw.port())) {
            long startNanos = System.nanoTime();
            s.setSoTimeout(5000);
            Read read = readUntilClose(s.getInputStream());
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);

            assertThat(read.closed()).as("closed after %d ms", elapsedMs).isTrue();
            assertThat(elapsedMs).isBetween(800L, 1000 + MARGIN_MS);
        }
        assertThat(backend.connectionCount()).isZero();
    }

    /** 300 connections that never send a byte hold no event loop: a normal GET still succeeds well under 1 s. */
    @Test
    void threeHundredIdleConnectionsDoNotStarveANewClient() throws Exception {
        start("10s", "60s");
        assertThat(gw.get("/warmup").statusCode()).isEqualTo(200); // JIT and client set-up out of the timing
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                idle.add(connect(gw.port()));
            }

            long startNanos = System.nanoTime();
            HttpResponse<String> r = gw.get("/fresh");
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("backend GET /fresh body=0");
            assertThat(elapsedMs).as("latency of a normal GET beside 300 idle connections").isLessThan(1000);

            // The idle connections were accepted and are still open (not shed to make room).
            Socket probe = idle.get(idle.size() - 1);
            probe.setSoTimeout(100);
            assertThat(stillOpen(probe)).as("last idle connection still open").isTrue();
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
        assertThat(backend.requestCount()).isEqualTo(2);
    }

    // ---------------------------------------------------------------------------------------------- helpers

    record Read(String text, boolean closed) {}

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        return s;
    }

    private static Read readUntilClose(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] b = new byte[8192];
        try {
            int n;
            while ((n = in.read(b)) >= 0) {
                buf.write(b, 0, n);
            }
            return new Read(buf.toString(StandardCharsets.ISO_8859_1), true);
        } catch (SocketTimeoutException e) {
            return new Read(buf.toString(StandardCharsets.ISO_8859_1), false);
        } catch (IOException e) {
            return new Read(buf.toString(StandardCharsets.ISO_8859_1), true); // reset
        }
    }

    /** Reads one response with a Content-Length body, and not a byte more. */
    private static String readOneResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed mid-head: " + head);
            }
            head.write(b);
            state = switch (state) {
                case 0, 2 -> b == '\r' ? state + 1 : 0;
                case 1, 3 -> b == '\n' ? state + 1 : 0;
                default -> 0;
            };
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return text + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }

    private static boolean stillOpen(Socket s) throws IOException {
        try {
            return s.getInputStream().read() >= 0;
        } catch (SocketTimeoutException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Reads until the gateway closes and checks the cut-off: a 408, the connection closed, within the header-read
     * timeout (1 s) plus the margin.
     */
    private static Read assertCutOffWith408(Socket s, long startNanos, String context) throws IOException {
        s.setSoTimeout(5000);
        Read read = readUntilClose(s.getInputStream());
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        String what = "after %d ms %s:%n%s".formatted(elapsedMs, context, read.text());
        assertThat(RawClient.status(read.text())).as("status " + what).isEqualTo(408);
        assertThat(read.closed()).as("closed " + what).isTrue();
        assertThat(elapsedMs).as("time to 408 and close " + what).isBetween(900L, 1000 + MARGIN_MS);
        return read;
    }

    /** Writes the same bytes every 200 ms, from its own thread, until closed or the gateway hangs up. */
    private static final class Trickler implements AutoCloseable {
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        private final AtomicInteger sent = new AtomicInteger();

        void start(OutputStream out, byte[] each, long firstDelayMs) {
            timer.scheduleAtFixedRate(() -> {
                try {
                    out.write(each);
                    out.flush();
                    sent.incrementAndGet();
                } catch (IOException e) {
                    throw new UncheckedIOException(e); // the gateway hung up: stop trickling
                }
            }, firstDelayMs, 200, TimeUnit.MILLISECONDS);
        }

        int sent() {
            return sent.get();
        }

        @Override
        public void close() {
            timer.shutdownNow();
        }
    }
}
