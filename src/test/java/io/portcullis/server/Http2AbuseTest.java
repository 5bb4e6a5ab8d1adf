package io.portcullis.server;

import static io.portcullis.testing.RawH2Client.CANCEL;
import static io.portcullis.testing.RawH2Client.DATA;
import static io.portcullis.testing.RawH2Client.FLAG_ACK;
import static io.portcullis.testing.RawH2Client.ENHANCE_YOUR_CALM;
import static io.portcullis.testing.RawH2Client.FLAG_END_STREAM;
import static io.portcullis.testing.RawH2Client.GOAWAY;
import static io.portcullis.testing.RawH2Client.HEADERS;
import static io.portcullis.testing.RawH2Client.PING;
import static io.portcullis.testing.RawH2Client.PROTOCOL_ERROR;
import static io.portcullis.testing.RawH2Client.REFUSED_STREAM;
import static io.portcullis.testing.RawH2Client.RST_STREAM;
import static io.portcullis.testing.RawH2Client.SETTINGS_INITIAL_WINDOW_SIZE;
import static io.portcullis.testing.RawH2Client.SETTINGS_MAX_CONCURRENT_STREAMS;
import static io.portcullis.testing.RawH2Client.SETTINGS_MAX_HEADER_LIST_SIZE;
import static io.portcullis.testing.RawH2Client.continuation;
import static io.portcullis.testing.RawH2Client.data;
import static io.portcullis.testing.RawH2Client.fields;
import static io.portcullis.testing.RawH2Client.get;
import static io.portcullis.testing.RawH2Client.headerBlock;
import static io.portcullis.testing.RawH2Client.headers;
import static io.portcullis.testing.RawH2Client.headersFragment;
import static io.portcullis.testing.RawH2Client.ping;
import static io.portcullis.testing.RawH2Client.rstStream;
import static io.portcullis.testing.RawH2Client.settings;
import static io.portcullis.testing.RawH2Client.windowUpdate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portcullis.testing.RawH2Client;
import io.portcullis.testing.RawH2Client.Frame;
import io.portcullis.testing.TestBackend;
import io.portcullis.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * End-to-end, over real sockets: HTTP/2 clients that abuse the protocol, written frame by frame with
 * {@link RawH2Client} against a prior-knowledge h2c listener. Each case asserts what the client sees on the wire
 * (the frame and its error code, or the connection closed) and that the backend was spared. Where the protocol makes
 * the error a stream error, the same connection then serves a normal request; where it ends the connection, a new
 * client is still served. The disabled tests at the end pin gateway bugs these clients found; each names its bug.
 */
class Http2AbuseTest {
    private static final Duration READ = Duration.ofSeconds(5);
    private static final int MAX_WINDOW = Integer.MAX_VALUE;
    /** Requested receive buffer of a client that never reads (the kernel rounds it up to its minimum). */
    private static final int SMALL_RECEIVE_BUFFER = 4096;

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

    /** A gateway whose listener {@code public} has the given extra fields (YAML, indented as listener fields). */
    private void start(String listenerFields) throws Exception {
        backend = new TestBackend();
        gw = TestGateway.start("""
                access_log: { enabled: false }
                server:
                  event_loops: ${LOOPS:-2}
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                """ + listenerFields + """
                routes:
                  - name: all
                    match: { path_prefix: / }
                    cluster: backend
                    timeout: 10s
                clusters:
                  - name: backend
                    endpoints: [ "${ORIGIN}" ]
                """, Map.of("ORIGIN", backend.address()));
    }

    /** {@code http2: { h2c: true<more> }} as listener fields. */
    private static String h2c(String more) {
        return "    http2: { h2c: true" + more + " }\n";
    }

    private RawH2Client open() throws IOException {
        RawH2Client c = RawH2Client.connect(gw.port());
        c.handshake();
        return c;
    }

    @Test
    void rawClientGetsTheBackendsResponse() throws Exception {
        start(h2c(""));
        try (RawH2Client c = open()) {
            assertServes(c, 1, "/hello");
        }
        TestBackend.Recorded seen = backend.lastRequest();
        assertThat(seen.version()).isEqualTo("HTTP/1.1");
        assertThat(seen.header("host")).isEqualTo("localhost");
        assertThat(seen.headers()).noneMatch(h -> h.getKey().startsWith(":"));
    }

    /**
     * SETTINGS_MAX_CONCURRENT_STREAMS 5: eight streams to a backend that never answers. The sixth to eighth are
     * refused with REFUSED_STREAM (so a client knows it may retry them), the backend sees five; resetting one of the
     * five frees its slot for a request that is served.
     */
    @Test
    void streamsOverTheConcurrencyLimitAreRefused() throws Exception {
        start(h2c(", max_concurrent_streams: 5"));
        try (RawH2Client c = RawH2Client.connect(gw.port())) {
            assertThat(c.handshake()).containsEntry(SETTINGS_MAX_CONCURRENT_STREAMS, 5L);
            ByteArrayOutputStream eight = new ByteArrayOutputStream();
            for (int id = 1; id <= 15; id += 2) {
                eight.writeBytes(headers(id, true, true, get("/hang")));
            }
            c.send(eight.toByteArray());

            for (int refused : new int[] {11, 13, 15}) {
                Frame rst = c.readUntil(f -> f.is(RST_STREAM, refused), READ);
                assertThat(rst.errorCode()).as("%s", rst).isEqualTo(REFUSED_STREAM);
            }
            await().atMost(READ).until(() -> backend.requestCount() == 5);
            assertThat(backend.requests()).extracting(TestBackend.Recorded::uri).containsOnly("/hang");

            c.send(rstStream(1, CANCEL));
            assertServes(c, 17, "/after-reset");
            assertThat(c.received()).noneMatch(f -> f.type() == RST_STREAM && f.streamId() <= 9)
                    .noneMatch(f -> f.type() == GOAWAY);
        }
        assertThat(backend.requestCount()).isEqualTo(6);
    }

    /**
     * {@code connections.max_requests: 3}: the third stream is served and followed by a GOAWAY (NO_ERROR) naming
     * it; two streams sent in the same write after it are not served, and the connection closes once it is done.
     */
    @Test
    void theLastStreamAConnectionMayServeIsFollowedByGoaway() throws Exception {
        start(h2c("") + "    connections: { max_requests: 3 }\n");
        try (RawH2Client c = open()) {
            assertServes(c, 1, "/one");
            assertServes(c, 3, "/two");
            c.send(headers(5, true, true, get("/three")), headers(7, true, true, get("/four")),
                    headers(9, true, true, get("/five")));
            Frame head = c.readUntil(f -> f.is(HEADERS, 5) || f.is(RST_STREAM, 5), READ);
            assertThat(head.status()).as("%s", head).isEqualTo("200");
            assertThat(body(c, 5, head)).isEqualTo("backend GET /three body=0");
            Frame goaway = assertEndedWithGoaway(c);
            assertThat(goaway.lastStreamId()).isEqualTo(5);
            assertThat(goaway.errorCode()).as("NO_ERROR").isZero();
            assertThat(c.received()).noneMatch(f -> f.type() == HEADERS && f.streamId() > 5);
        }
        assertThat(backend.requests()).extracting(TestBackend.Recorded::uri).containsExactly("/one", "/two",
                "/three");
        assertNewClientIsServed();
    }

    /**
     * {@code limits.max_header_size: 4KiB} is SETTINGS_MAX_HEADER_LIST_SIZE. A 4.5 KiB field is over it but within
     * the 125% Netty still decodes, so the answer is per stream: a 431 and RST_STREAM PROTOCOL_ERROR. The connection
     * serves the next stream; the backend never sees the big one.
     */
    @Test
    void headerListOverTheLimitGets431OnItsStreamOnly() throws Exception {
        start("    limits: { max_header_size: 4KiB }\n" + h2c(""));
        try (RawH2Client c = RawH2Client.connect(gw.port())) {
            assertThat(c.handshake()).containsEntry(SETTINGS_MAX_HEADER_LIST_SIZE, 4096L);
            List<Map.Entry<String, String>> big = get("/big");
            big.add(Map.entry("x-big", "a".repeat(4608)));
            c.send(headers(1, true, true, big));

            Frame answer = c.readUntil(f -> f.is(HEADERS, 1) || f.is(RST_STREAM, 1), READ);
            assertThat(answer.status()).as("%s", answer).isEqualTo("431");
            assertThat(answer.has(FLAG_END_STREAM)).isTrue();
            Frame rst = c.readUntil(f -> f.is(RST_STREAM, 1), READ);
            assertThat(rst.errorCode()).as("%s", rst).isEqualTo(PROTOCOL_ERROR);

            assertServes(c, 3, "/after");
        }
        assertThat(backend.requests()).extracting(TestBackend.Recorded::uri).containsExactly("/after");
    }

    /**
     * A 16 KiB field, its block split over HEADERS and a CONTINUATION: past 125% of the limit Netty stops buffering
     * and makes it a connection error (GOAWAY, then close) without decoding the block. The backend sees nothing and
     * other clients are served.
     */
    @Test
    void headerBlockFarOverTheLimitEndsTheConnection() throws Exception {
        start("    limits: { max_header_size: 4KiB }\n" + h2c(""));
        try (RawH2Client c = open()) {
            List<Map.Entry<String, String>> huge = get("/huge");
            huge.add(Map.entry("x-huge", "a".repeat(16 * 1024)));
            byte[] block = headerBlock(huge);
            int half = block.length / 2;
            trySend(c, headersFragment(1, true, false, Arrays.copyOfRange(block, 0, half)),
                    continuation(1, true, Arrays.copyOfRange(block, half, block.length)),
                    headers(3, true, true, get("/after")));

            assertEndedWithGoaway(c);
            assertThat(c.received()).noneMatch(f -> f.type() == HEADERS);
        }
        assertThat(backend.requestCount()).isZero();
        assertNewClientIsServed();
    }

    /**
     * Rapid reset (CVE-2023-44487): 500 HEADERS + RST_STREAM(CANCEL) pairs in one write. With max_resets 50 the
     * gateway answers with GOAWAY and closes. Bound on the backend: Netty checks each RST_STREAM before the next
     * HEADERS is read, so at most max_resets + 1 = 51 streams ever reach the proxy (each could start one exchange
     * before its reset cancels it); the other 449 requests are never even decoded.
     */
    @Test
    void rapidResetEndsTheConnectionBeforeTheBackendIsFlooded() throws Exception {
        int maxResets = 50;
        start(h2c(", max_resets: " + maxResets + ", reset_window: 30s"));
        try (RawH2Client c = open()) {
            ByteArrayOutputStream pairs = new ByteArrayOutputStream();
            for (int i = 0; i < 500; i++) {
                pairs.writeBytes(headers(1 + 2 * i, true, true, get("/reset-me")));
                pairs.writeBytes(rstStream(1 + 2 * i, CANCEL));
            }
            trySend(c, pairs.toByteArray());

            assertEndedWithGoaway(c);
        }
        await().during(Duration.ofMillis(300)).atMost(READ)
                .until(() -> backend.requestCount() <= maxResets + 1);
        assertNewClientIsServed();
    }

    /**
     * CONTINUATION flood: a HEADERS frame without END_HEADERS, then up to 20 000 CONTINUATION frames that never end
     * the block, empty or with one small field each. Netty allows 16 consecutive small (under 8 KiB) CONTINUATION
     * frames before making it a connection error, so the connection ends long before the flood does; the backend
     * never sees a request.
     */
    @ParameterizedTest(name = "{0}-byte fragments")
    @ValueSource(ints = {0, 24})
    void continuationFloodEndsTheConnection(int fragmentSize) throws Exception {
        start("    limits: { max_header_size: 4KiB }\n" + h2c(""));
        try (RawH2Client c = open()) {
            c.send(headersFragment(1, true, false, headerBlock(get("/flood"))));
            byte[] fragment = fragmentSize == 0 ? new byte[0]
                    : headerBlock(fields("x-flood", "v".repeat(fragmentSize - 10)));
            assertThat(fragment).hasSize(fragmentSize);

            flood(c, continuation(1, false, fragment), 20_000, READ);

            assertEndedWithGoaway(c);
        }
        assertThat(backend.requestCount()).isZero();
        assertNewClientIsServed();
    }

    /**
     * PING flood from a client that never reads (tiny receive buffer, and a large download it ignores that fills
     * the gateway's socket buffers first, so every acknowledgement owed from then on must queue in the gateway's
     * memory). With max_queued_control_frames 100 the gateway closes the connection: the flood is cut off by a
     * reset, or the socket reaches EOF. A GOAWAY cannot be seen: it would queue behind the unread download.
     */
    @Test
    void pingFloodFromAClientThatDoesNotReadEndsTheConnection() throws Exception {
        assertControlFloodIsCutOff(ping(false, 0x5eedL));
    }

    /** The same with empty SETTINGS frames, each of which the gateway must acknowledge. */
    @Test
    void settingsFloodFromAClientThatDoesNotReadEndsTheConnection() throws Exception {
        assertControlFloodIsCutOff(settings());
    }

    private void assertControlFloodIsCutOff(byte[] controlFrame) throws Exception {
        start(h2c(", max_queued_control_frames: 100"));
        try (RawH2Client c = RawH2Client.connect(gw.port(), SMALL_RECEIVE_BUFFER)) {
            c.handshake(SETTINGS_INITIAL_WINDOW_SIZE, MAX_WINDOW);
            c.send(windowUpdate(0, MAX_WINDOW - 65_535), headers(1, true, true, get("/bytes?n=" + (64 << 20))));

            // Bursts of 200 every 20 ms rather than one long blast: the blast would keep the gateway busy answering
            // PINGs while its own acknowledgements, not the download, slowly fill megabytes of socket buffer.
            await().atMost(Duration.ofSeconds(15)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                    .until(() -> flood(c, controlFrame, 200, READ).cutOff());
            assertThat(c.writeTimedOut()).as("the gateway kept reading until it closed").isFalse();
        }
        assertThat(backend.requests()).extracting(TestBackend.Recorded::uri).containsExactly("/bytes?n=67108864");
        assertNewClientIsServed();
    }

    /**
     * A client that announces SETTINGS_INITIAL_WINDOW_SIZE 0 and never opens a window: the response head arrives
     * (HEADERS are not flow-controlled), no DATA byte can, and nothing moves either way. idle_timeout 1s closes the
     * connection, not before about a second and well within five.
     */
    @Test
    void zeroWindowStallIsClosedByTheIdleTimeout() throws Exception {
        start("    idle_timeout: 1s\n" + h2c(""));
        try (RawH2Client c = RawH2Client.connect(gw.port())) {
            c.handshake(SETTINGS_INITIAL_WINDOW_SIZE, 0);
            c.send(headers(1, true, true, get("/bytes?n=1000000")));
            Frame head = c.readUntil(f -> f.is(HEADERS, 1), READ);
            long stalledSince = System.nanoTime();
            assertThat(head.status()).isEqualTo("200");

            boolean closed = c.awaitClosed(READ);
            long stalledMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stalledSince);

            assertThat(closed).as("closed within %s", READ).isTrue();
            assertThat(stalledMs).as("stalled before the close").isBetween(800L, 5000L);
            assertThat(c.received()).noneMatch(f -> f.type() == DATA && f.payload().length > 0);
        }
        assertThat(backend.requestCount()).isEqualTo(1);
    }

    static Stream<Arguments> malformedHeads() {
        String[] request = {":method", "GET", ":scheme", "http", ":authority", "localhost", ":path", "/bad"};
        return Stream.of(
                Arguments.of("unknown pseudo-header :foo", with(request, ":foo", "x")),
                Arguments.of("pseudo-header after a regular field", fields(":method", "GET", ":scheme", "http",
                        "x-a", "1", ":authority", "localhost", ":path", "/bad")),
                Arguments.of("uppercase field name", with(request, "X-Upper", "1")),
                Arguments.of("connection-specific field", with(request, "connection", "keep-alive")),
                Arguments.of("response pseudo-header :status in a request", with(request, ":status", "200")),
                Arguments.of("duplicate :method", fields(":method", "GET", ":method", "GET", ":scheme", "http",
                        ":authority", "localhost", ":path", "/bad")),
                Arguments.of("empty :path", fields(":method", "GET", ":scheme", "http", ":authority", "localhost",
                        ":path", "")),
                // HTTP/2 to HTTP/1.1 smuggling: a line break in a value would become a second header upstream.
                Arguments.of("CR LF in a field value", with(request, "x-a", "1\r\nx-injected: 2")),
                Arguments.of("bare LF in a field value", with(request, "x-a", "1\nx-injected: 2")),
                Arguments.of("NUL in a field value", with(request, "x-a", "1\u0000")),
                Arguments.of("space in a field name", with(request, "x a", "1")),
                Arguments.of("CR LF in :path", fields(":method", "GET", ":scheme", "http", ":authority", "localhost",
                        ":path", "/bad HTTP/1.1\r\nx-injected: 2")));
    }

    /**
     * Malformed request heads (RFC 9113 §8.2-8.3) are stream errors: RST_STREAM PROTOCOL_ERROR on that stream, the
     * same connection serves the next stream, and the backend sees only that one.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedHeads")
    void malformedRequestHeadIsResetOnItsStreamOnly(String name, List<Map.Entry<String, String>> head)
            throws Exception {
        start(h2c(""));
        try (RawH2Client c = open()) {
            c.send(headers(1, true, true, head));
            Frame answer = c.readUntil(f -> f.is(RST_STREAM, 1) || f.is(HEADERS, 1), READ);
            assertThat(answer.type()).as("%s", answer).isEqualTo(RST_STREAM);
            assertThat(answer.errorCode()).as("%s", answer).isEqualTo(PROTOCOL_ERROR);

            assertServes(c, 3, "/after");
        }
        assertThat(backend.requests()).extracting(TestBackend.Recorded::uri).containsExactly("/after");
    }

    /**
     * A stream error the frame codec finds after the stream opened (DATA past the declared content-length, RFC 9113
     * §8.1.1) resets that stream with the codec's code; the connection and its other streams go on.
     */
    @Test
    void bodyPastItsContentLengthIsResetOnItsStreamOnly() throws Exception {
        start(h2c(""));
        try (RawH2Client c = open()) {
            c.send(headers(1, false, true, fields(":method", "POST", ":scheme", "http", ":authority", "localhost",
                    ":path", "/upload", "content-length", "5")));
            c.send(data(1, true, "ten bytes!".getBytes(StandardCharsets.US_ASCII)));
            Frame answer = c.readUntil(f -> f.is(RST_STREAM, 1) || f.is(HEADERS, 1), READ);
            assertThat(answer.type()).as("%s", answer).isEqualTo(RST_STREAM);
            assertThat(answer.errorCode()).as("%s", answer).isEqualTo(PROTOCOL_ERROR);

            assertServes(c, 3, "/after");
        }
    }

    /**
     * A client that resets a stream while its backend is still working on it: nothing more is sent on that stream (its
     * exchange ended with the reset, so the late response is not relayed), and the connection's next stream is
     * served at once, not after the first.
     */
    @Test
    void streamResetByTheClientEndsItsExchangeOnly() throws Exception {
        start(h2c(""));
        try (RawH2Client c = open()) {
            c.send(headers(1, true, true, get("/delay?ms=400")));
            await().atMost(READ).until(() -> backend.requests().stream().anyMatch(r -> r.uri().startsWith("/delay")));
            c.send(rstStream(1, CANCEL));
            long start = System.nanoTime();
            assertServes(c, 3, "/after");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(400));

            // Nothing tells the client when the backend answers stream 1: it does so 400 ms after the request, so
            // reading for 600 ms (the connection stays open) sees anything the gateway still relayed.
            assertThat(c.awaitClosed(Duration.ofMillis(600))).as("connection still open").isFalse();
            c.send(ping(false, 8));
            c.readUntil(f -> f.type() == PING && f.has(FLAG_ACK) && f.payload()[7] == 8, READ);
            assertThat(c.received()).noneMatch(f -> f.streamId() == 1 && f.type() != RST_STREAM);
        }
        // The route counts the reset exchange as ended without a response, and only /after as answered.
        assertThat(requestsOfClass("none")).isEqualTo(1);
        assertThat(requestsOfClass("2xx")).isEqualTo(1);
    }

    /** {@code portcullis_requests_total} of the route {@code all} for one status class, 0 when never counted. */
    private long requestsOfClass(String statusClass) {
        return gw.gateway().metrics().scrape().lines()
                .filter(l -> l.startsWith("portcullis_requests_total{") && l.contains("route=\"all\"")
                        && l.contains("status_class=\"" + statusClass + "\""))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    // ---------------------------------------------------- once bugs, now fixed (the comments say what they were)

    /**
     * The GOAWAY of a connection error names it: ENHANCE_YOUR_CALM for rapid reset and CONTINUATION floods,
     * PROTOCOL_ERROR for a header block past the limit. Today every one says NO_ERROR: Http2ConnectionGuard.Tail
     * closes the channel when the codec forwards the error, before the codec writes its own GOAWAY, so the graceful
     * close's GOAWAY(NO_ERROR) goes out instead.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rapid reset", "continuation flood", "header block too large"})
    void connectionErrorGoawayCarriesItsErrorCode(String abuse) throws Exception {
        start("    limits: { max_header_size: 4KiB }\n" + h2c(", max_resets: 50"));
        try (RawH2Client c = open()) {
            ByteArrayOutputStream frames = new ByteArrayOutputStream();
            int expected;
            switch (abuse) {
                case "rapid reset" -> {
                    for (int i = 0; i < 100; i++) {
                        frames.writeBytes(headers(1 + 2 * i, true, true, get("/reset-me")));
                        frames.writeBytes(rstStream(1 + 2 * i, CANCEL));
                    }
                    expected = ENHANCE_YOUR_CALM;
                }
                case "continuation flood" -> {
                    frames.writeBytes(headersFragment(1, true, false, headerBlock(get("/flood"))));
                    for (int i = 0; i < 100; i++) {
                        frames.writeBytes(continuation(1, false, new byte[0]));
                    }
                    expected = ENHANCE_YOUR_CALM;
                }
                default -> {
                    List<Map.Entry<String, String>> huge = get("/huge");
                    huge.add(Map.entry("x-huge", "a".repeat(8 * 1024)));
                    frames.writeBytes(headers(1, true, true, huge));
                    expected = PROTOCOL_ERROR;
                }
            }
            trySend(c, frames.toByteArray());
            Frame goaway = assertEndedWithGoaway(c);
            assertThat(goaway.errorCode()).as("%s", goaway).isEqualTo(expected);
        }
    }

    /**
     * A request head without :path, :method or :scheme is malformed (RFC 9113 §8.3.1): RST_STREAM PROTOCOL_ERROR.
     * Today: no :path gives CANCEL and leaks a buffer (Netty's HttpConversionUtil.toFullHttpRequest allocates the body
     * before it finds :path missing), no :method is taken for trailers and the stream is never answered, and no
     * :scheme is proxied.
     */
    @ParameterizedTest(name = "without {0}")
    @ValueSource(strings = {":path", ":method", ":scheme"})
    void requestHeadWithoutARequiredPseudoHeaderIsResetWithProtocolError(String missing) throws Exception {
        start(h2c(""));
        List<Map.Entry<String, String>> head = get("/bad");
        head.removeIf(field -> field.getKey().equals(missing));
        try (RawH2Client c = open()) {
            c.send(headers(1, true, true, head));
            Frame answer = c.readUntil(f -> f.is(RST_STREAM, 1) || f.is(HEADERS, 1), READ);
            assertThat(answer.type()).as("%s", answer).isEqualTo(RST_STREAM);
            assertThat(answer.errorCode()).as("%s", answer).isEqualTo(PROTOCOL_ERROR);
            assertServes(c, 3, "/after");
        }
        assertThat(backend.requests()).extracting(TestBackend.Recorded::uri).containsExactly("/after");
    }

    /**
     * idle_timeout closes a connection with no request in flight; a request waiting for a slow backend (within its
     * route timeout) is in flight, as on HTTP/1.1. Today the HTTP/2 connection is closed after idle_timeout with the
     * stream unanswered: Http2ConnectionGuard treats "no bytes either way" as idle even while streams await backends.
     */
    @Test
    void requestAwaitingASlowBackendOutlivesTheIdleTimeout() throws Exception {
        start("    idle_timeout: 1s\n" + h2c(""));
        try (RawH2Client c = open()) {
            c.send(headers(1, true, true, get("/delay?ms=2500")));
            Frame head = c.readUntil(f -> f.is(HEADERS, 1) || f.is(RST_STREAM, 1), READ);
            assertThat(head.status()).as("%s", head).isEqualTo("200");
        }
    }

    /**
     * A request body that stalls is cut off after idle_timeout on HTTP/1.1 (CLIENT_TIMEOUT). Over HTTP/2 a client
     * that keeps the connection busy with a PING every 300 ms holds such streams, and their backend connections,
     * forever: the idle timer is per connection. The stalled stream must be reset (or answered) within about
     * idle_timeout all the same.
     */
    @Test
    void stalledRequestBodyIsCutOffEvenWhileThePeerPings() throws Exception {
        start("    idle_timeout: 1s\n" + h2c(""));
        try (RawH2Client c = open()) {
            c.send(headers(1, false, true, fields(":method", "POST", ":scheme", "http", ":authority", "localhost",
                    ":path", "/upload", "content-length", "10")));
            for (int i = 0; i < 10 && !cutOff(c, 1); i++) {
                c.send(ping(false, i));
                c.awaitClosed(Duration.ofMillis(300)); // reads (and logs) what arrives meanwhile
            }
            assertThat(cutOff(c, 1)).as("stream 1 cut off within 3 s of pings; received %s", c.received()).isTrue();
        }
    }

    private static boolean cutOff(RawH2Client c, int streamId) {
        return c.received().stream().anyMatch(f -> f.is(RST_STREAM, streamId) || f.is(HEADERS, streamId));
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /** Sends a GET on {@code streamId} and checks the backend's 200 and echo body arrive on it. */
    private static void assertServes(RawH2Client c, int streamId, String path) throws IOException {
        c.send(headers(streamId, true, true, get(path)));
        Frame head = c.readUntil(f -> f.is(HEADERS, streamId) || f.is(RST_STREAM, streamId), READ);
        assertThat(head.status()).as("%s", head).isEqualTo("200");
        assertThat(body(c, streamId, head)).isEqualTo("backend GET " + path + " body=0");
    }

    /** The DATA of a stream up to END_STREAM, as text. */
    private static String body(RawH2Client c, int streamId, Frame head) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean ended = head.has(FLAG_END_STREAM);
        for (int i = 0; i < 1000 && !ended; i++) {
            Frame data = c.readUntil(f -> f.is(DATA, streamId), READ);
            body.writeBytes(data.payload());
            ended = data.has(FLAG_END_STREAM);
        }
        return body.toString(StandardCharsets.UTF_8);
    }

    /** The gateway sent GOAWAY and closed the connection; returns the GOAWAY. */
    private static Frame assertEndedWithGoaway(RawH2Client c) throws IOException {
        assertThat(c.awaitClosed(READ)).as("closed; received %s", c.received()).isTrue();
        assertThat(c.goaway()).as("GOAWAY; received %s", c.received()).isNotNull();
        return c.goaway();
    }

    /** The gateway as a whole is fine: a fresh connection is served. */
    private void assertNewClientIsServed() throws IOException {
        try (RawH2Client c = open()) {
            assertServes(c, 1, "/still-serving");
        }
    }

    /** Sends frames the gateway may refuse midway: a reset while writing is part of the expected outcome. */
    private static void trySend(RawH2Client c, byte[]... frames) {
        try {
            c.send(frames);
        } catch (IOException e) {
            // the gateway closed the connection while the frames were in flight; the caller reads what it sent first
        }
    }

    /** How a flood went: frames written before it ended, and whether a write failed (the connection was closed). */
    record Flood(int framesSent, boolean cutOff) {}

    /**
     * Writes {@code frame} in batches until a write fails, {@code maxFrames} were written or {@code duration} passed.
     * The client reads nothing meanwhile: the flood is over only when the gateway says so by closing.
     */
    private static Flood flood(RawH2Client c, byte[] frame, int maxFrames, Duration duration) {
        int perBatch = Math.min(500, maxFrames);
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0; i < perBatch; i++) {
            batch.writeBytes(frame);
        }
        byte[] bytes = batch.toByteArray();
        long deadline = System.nanoTime() + duration.toNanos();
        int sent = 0;
        boolean cutOff = false;
        try {
            while (sent < maxFrames && System.nanoTime() < deadline) {
                c.send(bytes);
                sent += perBatch;
            }
        } catch (IOException e) {
            cutOff = true;
        }
        return new Flood(sent, cutOff);
    }

    private static List<Map.Entry<String, String>> with(String[] head, String name, String value) {
        List<Map.Entry<String, String>> list = fields(head);
        list.add(Map.entry(name, value));
        return list;
    }
}
