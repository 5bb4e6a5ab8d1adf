package io.portcullis.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.portcullis.security.apikey.ApiKeys;
import io.portcullis.testing.TestBackend;
import io.portcullis.testing.TestGateway;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Anomaly detection end to end, with scripted traffic from real clients (told apart by X-Forwarded-For behind a
 * trusted proxy): credential stuffing and path scanning are blocked within 10 s, listed at {@code /anomalies} and
 * can be lifted; floods are throttled; each rule takes its configured action, by consumer too; benign traffic with
 * peaks and retry bursts is left alone.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AnomalyDetectionTest {
    private TestBackend backend;
    private TestGateway gw;

    @AfterEach
    void close() {
        if (gw != null) {
            gw.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    /** A gateway with the admin listener, one listener behind a trusted proxy on loopback, and these sections. */
    private void start(String anomalyDetection, String rest, Map<String, String> vars) throws Exception {
        gw = TestGateway.start("""
                access_log: { enabled: false }
                server:
                  event_loops: ${LOOPS:-2}
                admin: { address: "127.0.0.1:0" }
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                    trusted_proxies: [ 127.0.0.1/32 ]
                """ + anomalyDetection + rest, vars);
    }

    /** Sleeps out what is left of a tick of {@code periodNanos} that began at {@code tickStart}. */
    private static void restOfTick(long tickStart, long periodNanos) throws InterruptedException {
        long rest = periodNanos - (System.nanoTime() - tickStart);
        if (rest > 0) {
            TimeUnit.NANOSECONDS.sleep(rest);
        }
    }

    private HttpResponse<String> get(String path, String client, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path)).timeout(Duration.ofSeconds(10))
                .header("X-Forwarded-For", client);
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return gw.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> admin(String method, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + gw.gateway().adminAddress().getPort() + path);
        return gw.client().send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void credentialStuffingAndPathScanningAreBlockedListedAndLiftedWhileABenignClientIsLeftAlone() throws Exception {
        String key = ApiKeys.generate(new SecureRandom());
        backend = new TestBackend("b");
        start("""
                anomaly_detection: {}
                """, """
                security:
                  api_keys:
                    consumers: [ { name: alice, keys: [ "${K}" ] } ]
                routes:
                  - name: api
                    match: { path_prefix: /api }
                    cluster: api
                    security: { auth: [ api_key ] }
                clusters:
                  - name: api
                    endpoints: [ "${B}" ]
                """, Map.of("K", ApiKeys.hash(key), "B", backend.address()));

        String stuffer = "203.0.113.10";
        String scanner = "203.0.113.20";
        String benign = "198.51.100.30";
        long start = System.nanoTime();
        // Ten seconds of scripted traffic, each client at its own pace, until both attackers are blocked.
        boolean stufferBlocked = false;
        boolean scannerBlocked = false;
        for (int second = 0; second < 10 && !(stufferBlocked && scannerBlocked); second++) {
            long secondStart = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                int s1 = get("/api/login", stuffer, "x-api-key", "pk_guess" + second + "x" + i).statusCode();
                stufferBlocked |= s1 == 403;
                int s2 = get("/admin" + second + "/" + i + ".php", scanner).statusCode();
                scannerBlocked |= get("/api/x", scanner, "x-api-key", key).statusCode() == 403;
                assertThat(s2).isIn(404, 403);
                assertThat(get("/api/orders", benign, "x-api-key", key).statusCode()).as("benign client")
                        .isEqualTo(200);
            }
            restOfTick(secondStart, 1_000_000_000L);
        }
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(stufferBlocked).as("credential stuffing blocked").isTrue();
        assertThat(scannerBlocked).as("path scanning blocked").isTrue();
        assertThat(tookMs).isLessThanOrEqualTo(10_500);
        HttpResponse<String> blocked = get("/api/orders", stuffer, "x-api-key", key);
        assertThat(blocked.statusCode()).isEqualTo(403);
        assertThat(blocked.body()).contains("\"error\":\"ANOMALY_BLOCKED\"");
        HttpResponse<String> unmatched = get("/no/route/here", scanner);
        assertThat(unmatched.statusCode()).as("blocked off the routes too").isEqualTo(403);
        assertThat(unmatched.body()).contains("\"error\":\"ANOMALY_BLOCKED\"");

        String listed = admin("GET", "/anomalies").body();
        assertThat(listed).contains("\"rule\":\"credential_stuffing\"", "\"key\":\"" + stuffer + "\"",
                "\"rule\":\"path_scanning\"", "\"key\":\"" + scanner + "\"", "\"action\":\"block\"", "\"evidence\"");
        assertThat(listed).doesNotContain(benign);
        assertThat(gw.gateway().metrics().scrape()).contains("portcullis_anomaly_actions_total{action=\"block\","
                + "rule=\"credential_stuffing\"} 1.0");

        // An operator lifts the stuffer's block: its requests are judged on their own again.
        Matcher id = Pattern.compile("\"id\":\"(credential_stuffing-[0-9]+)\"").matcher(listed);
        assertThat(id.find()).isTrue();
        assertThat(admin("DELETE", "/anomalies/" + id.group(1)).statusCode()).isEqualTo(200);
        assertThat(admin("DELETE", "/anomalies/" + id.group(1)).statusCode()).isEqualTo(404);
        await().atMost(Duration.ofSeconds(5)).until(() ->
                get("/api/orders", stuffer, "x-api-key", key).statusCode() == 200);
        assertThat(get("/api/orders", scanner, "x-api-key", key).statusCode()).as("still blocked").isEqualTo(403);
    }

    @Test
    void aRequestFloodIsThrottledWithinTenSeconds() throws Exception {
        backend = new TestBackend("b");
        start("""
                anomaly_detection: {}
                """, """
                routes:
                  - { name: api, match: { path_prefix: / }, cluster: api }
                clusters:
                  - name: api
                    endpoints: [ "${B}" ]
                """, Map.of("B", backend.address()));
        String flooder = "203.0.113.99";
        // A client with a normal pace first (its baseline), then twenty times more and well above the rule's floor.
        for (int i = 0; i < 15; i++) {
            assertThat(get("/x", flooder).statusCode()).isEqualTo(200);
            Thread.sleep(200);
        }
        long start = System.nanoTime();
        boolean throttled = false;
        // Well over 100 requests a second from one client (the rule's floor), in bursts of 40 in parallel.
        while (!throttled && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10)) {
            var batch = new java.util.ArrayList<java.util.concurrent.CompletableFuture<HttpResponse<String>>>();
            for (int i = 0; i < 40; i++) {
                batch.add(gw.client().sendAsync(HttpRequest.newBuilder(gw.uri("/x")).header("X-Forwarded-For",
                        flooder).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (var f : batch) {
                HttpResponse<String> r = f.get(10, TimeUnit.SECONDS);
                throttled |= r.statusCode() == 429 && r.body().contains("ANOMALY_THROTTLED");
            }
            Thread.sleep(50);
        }
        assertThat(throttled).as("throttled within 10 s").isTrue();
        assertThat(admin("GET", "/anomalies").body()).contains("\"rule\":\"request_flood\"",
                "\"action\":\"throttle\"", "\"key\":\"" + flooder + "\"");
        assertThat(get("/x", "198.51.100.7").statusCode()).as("another client").isEqualTo(200);
    }

    @Test
    void eachRuleTakesItsConfiguredActionAConsumerIsBlockedWhateverItsAddressAndTheBlockExpires() throws Exception {
        String bot = ApiKeys.generate(new SecureRandom());
        String alice = ApiKeys.generate(new SecureRandom());
        backend = new TestBackend("b");
        start("""
                anomaly_detection:
                  consumer_flood: { floor_per_second: 10, factor: 2, action: block, duration: 4s }
                  path_scanning: { action: shadow }
                """, """
                security:
                  api_keys:
                    consumers:
                      - { name: bot, keys: [ "${BOT}" ] }
                      - { name: alice, keys: [ "${ALICE}" ] }
                routes:
                  - name: api
                    match: { path_prefix: /api }
                    cluster: api
                    security: { auth: [ api_key ] }
                clusters:
                  - name: api
                    endpoints: [ "${B}" ]
                """, Map.of("BOT", ApiKeys.hash(bot), "ALICE", ApiKeys.hash(alice), "B", backend.address()));

        // One consumer at 50 requests a second spread over 20 addresses (2.5/s each, far below any address rule),
        // beside a scanner whose rule is only watched.
        String scanner = "203.0.113.20";
        boolean botBlocked = false;
        long start = System.nanoTime();
        for (int tick = 0; tick < 100 && !botBlocked; tick++) { // 100 ms ticks, 10 s at most
            long tickStart = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> r = get("/api/feed", "198.51.100." + (tick * 5 + i) % 20, "x-api-key", bot);
                assertThat(r.statusCode()).isIn(200, 403);
                botBlocked = r.statusCode() == 403 && r.body().contains("ANOMALY_BLOCKED");
            }
            assertThat(get("/wp-admin/" + tick + ".php", scanner).statusCode()).as("only watched").isEqualTo(404);
            restOfTick(tickStart, 100_000_000L);
        }
        long blockedAfterMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(botBlocked).as("consumer blocked within 10 s").isTrue();
        // The consumer is refused from an address it never used; others at its addresses are not.
        // 25 refusals from one fresh address: refusals by the detector are not evidence, so they must not read as
        // credential stuffing (20 of 403 in 10 s) against that address.
        for (int i = 0; i < 25; i++) {
            HttpResponse<String> fresh = get("/api/feed", "192.0.2.77", "x-api-key", bot);
            assertThat(fresh.statusCode()).isEqualTo(403);
            assertThat(fresh.body()).contains("ANOMALY_BLOCKED");
        }
        assertThat(get("/api/feed", "198.51.100.3", "x-api-key", alice).statusCode()).isEqualTo(200);

        String listed = admin("GET", "/anomalies").body();
        assertThat(listed).contains("\"rule\":\"request_flood\"", "\"key_kind\":\"consumer\"", "\"key\":\"bot\"",
                "\"action\":\"block\"");
        assertThat(listed).contains("\"rule\":\"path_scanning\"", "\"key\":\"" + scanner + "\"",
                "\"action\":\"shadow\"");
        assertThat(get("/api/feed", scanner, "x-api-key", alice).statusCode()).as("a shadow refuses nothing")
                .isEqualTo(200);

        // The block lasts its configured 4 s, then ends by itself.
        await().atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(200)).until(() ->
                get("/api/feed", "192.0.2.77", "x-api-key", bot).statusCode() == 200);
        long liftedAfterMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(liftedAfterMs - blockedAfterMs).as("block duration").isBetween(2_500L, 7_000L);
        assertThat(admin("GET", "/anomalies").body()).doesNotContain("192.0.2.77");
        await().atMost(Duration.ofSeconds(3)).until(() -> !admin("GET", "/anomalies").body() // listed until the tick
                .contains("\"key\":\"bot\""));
    }

    /**
     * A route whose backend starts failing: at 20 requests a second from many clients, all 5xx for several seconds,
     * the route's error spike is flagged within 10 s, in shadow by default (logged, listed, nothing refused).
     */
    @Test
    void aRoutesErrorSpikeIsFlaggedWithinTenSecondsInShadow() throws Exception {
        backend = new TestBackend("b");
        start("""
                anomaly_detection: {}
                """, """
                routes:
                  - { name: checkout, match: { path_prefix: /status }, cluster: api }
                clusters:
                  - name: api
                    endpoints: [ "${B}" ]
                """, Map.of("B", backend.address()));
        long start = System.nanoTime();
        boolean flagged = false;
        // Healthy for three seconds (the route's error share is learnt as zero), then every answer is a 500.
        for (int tick = 0; tick < 130 && !flagged; tick++) { // 100 ms ticks: 3 s healthy, then up to 10 s failing
            long tickStart = System.nanoTime();
            String path = tick < 30 ? "/status/200" : "/status/500";
            for (int i = 0; i < 2; i++) {
                int status = get(path, "198.51.100." + (tick * 2 + i) % 200).statusCode();
                assertThat(status).as("never refused").isEqualTo(tick < 30 ? 200 : 500);
            }
            if (tick >= 30 && tick % 10 == 0) {
                flagged = admin("GET", "/anomalies").body().contains("\"rule\":\"route_error_spike\"");
            }
            restOfTick(tickStart, 100_000_000L);
        }
        long failingFor = (System.nanoTime() - start) / 1_000_000 - 3_000;
        assertThat(flagged).as("flagged within 10 s of failing").isTrue();
        assertThat(failingFor).isLessThanOrEqualTo(10_000);
        assertThat(admin("GET", "/anomalies").body()).contains("\"key_kind\":\"route\"", "\"key\":\"checkout\"",
                "\"action\":\"shadow\"");
        assertThat(gw.gateway().metrics().scrape()).contains("portcullis_anomaly_actions_total{action=\"shadow\","
                + "rule=\"route_error_spike\"} 1.0");
    }

    /**
     * Benign traffic with its own bursts, under the default rules: two addresses of one office (one consumer) follow
     * a compressed daily peak from 30 to 120 requests a second each and back, above the flood rule's floor at the
     * top; then the backend fails for a second and every client retries its failures twice, 100 ms apart; an app
     * with a stale key gets a few 401s before it uses the right one; a browser misses the same two paths now and
     * then. Meanwhile a scanner runs, so the detector is seen to work under the same load. Only the scanner is
     * flagged and refused.
     */
    @Test
    void benignPeaksAndARetryBurstAfterABackendBlipRaiseNothingWhileAScannerIsFlagged() throws Exception {
        String office = ApiKeys.generate(new SecureRandom());
        String app = ApiKeys.generate(new SecureRandom());
        Blip blip = new Blip();
        start("""
                anomaly_detection: {}
                """, """
                security:
                  api_keys:
                    consumers:
                      - { name: office, keys: [ "${OFFICE}" ] }
                      - { name: app, keys: [ "${APP}" ] }
                routes:
                  - name: api
                    match: { path_prefix: /api }
                    cluster: api
                    security: { auth: [ api_key ] }
                  - { name: site, match: { path_prefix: /site }, cluster: api }
                clusters:
                  - name: api
                    endpoints: [ "127.0.0.1:${B}" ]
                    pool: { max_connections: 256 }
                """, Map.of("OFFICE", ApiKeys.hash(office), "APP", ApiKeys.hash(app), "B",
                Integer.toString(blip.port())));
        try {
            Traffic traffic = new Traffic(gw);
            long start = System.nanoTime();
            long sent = 0;
            double due = 0;
            for (int tick = 0; tick < 180; tick++) { // 100 ms ticks: 18 s
                double t = tick / 10.0;
                // The daily peak, compressed: 30/s up to 120/s over 7 s, down to 40/s by 13 s, then flat.
                double rate = t < 7 ? 30 + 90 * t / 7 : t < 13 ? 120 - 80 * (t - 7) / 6 : 40;
                due += rate / 10;
                for (; sent < (long) due; sent++) {
                    traffic.send("/api/items/" + sent % 50, "198.51.100.10", "x-api-key", office);
                    traffic.send("/api/items/" + sent % 50, "198.51.100.11", "x-api-key", office);
                }
                if (tick % 2 == 0) {
                    traffic.send("/api/me", "192.0.2.40", "x-api-key", tick < 8 ? "pk_stale" : app);
                    traffic.send(tick % 20 == 0 ? "/favicon.ico" : tick % 30 == 0 ? "/site/old" : "/site/home",
                            "192.0.2.50");
                }
                if (tick < 100) {
                    traffic.send("/cgi-bin/" + tick + ".sh", "203.0.113.66");
                }
                blip.failing = tick >= 140 && tick < 150; // the backend fails for one second at 14 s
                long rest = start + (tick + 1) * 100_000_000L - System.nanoTime();
                if (rest > 0) {
                    TimeUnit.NANOSECONDS.sleep(rest);
                }
            }
            traffic.await();
            Thread.sleep(2_500); // two more detector ticks after the last request

            assertThat(traffic.failures).as("transport failures").hasValue(0);
            assertThat(traffic.refused).as("requests the detector refused, by client")
                    .containsOnlyKeys("203.0.113.66");
            assertThat(traffic.retried.get()).as("retries after the blip").isGreaterThan(50);
            String listed = admin("GET", "/anomalies").body();
            assertThat(listed).contains("\"rule\":\"path_scanning\"", "\"key\":\"203.0.113.66\"");
            assertThat(listed).as("only the scanner is flagged").doesNotContain("198.51.100.", "192.0.2.", "office",
                    "\"app\"", "request_flood", "route_error_spike", "credential_stuffing");
            assertThat(gw.gateway().metrics().scrape()).doesNotContain("rule=\"request_flood\"",
                    "rule=\"route_error_spike\"", "rule=\"credential_stuffing\"");
        } finally {
            blip.close();
        }
    }

    /** A backend that answers 200, or 503 while {@code failing}. */
    private static final class Blip implements AutoCloseable {
        private final ExecutorService workers = Executors.newFixedThreadPool(8);
        private final HttpServer server;
        volatile boolean failing;

        Blip() throws Exception {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
            server.createContext("/", exchange -> {
                byte[] body = "ok".getBytes(StandardCharsets.US_ASCII);
                exchange.sendResponseHeaders(failing ? 503 : 200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.setExecutor(workers);
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
            workers.shutdownNow();
        }
    }

    /** Asynchronous requests that retry a 5xx twice, 100 ms apart, as a client library would. */
    private static final class Traffic {
        private final TestGateway gw;
        private final List<CompletableFuture<?>> pending = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger failures = new AtomicInteger();
        final Map<String, Integer> refused = new ConcurrentHashMap<>();
        final AtomicInteger retried = new AtomicInteger();

        Traffic(TestGateway gw) {
            this.gw = gw;
        }

        void send(String path, String client, String... headers) {
            pending.add(attempt(path, client, headers, 0));
        }

        private CompletableFuture<Void> attempt(String path, String client, String[] headers, int retries) {
            HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path)).timeout(Duration.ofSeconds(10))
                    .header("X-Forwarded-For", client);
            for (int i = 0; i < headers.length; i += 2) {
                b.header(headers[i], headers[i + 1]);
            }
            return gw.client().sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).handle((r, e) -> {
                if (e != null) {
                    failures.incrementAndGet();
                } else if (r.body().contains("ANOMALY_")) {
                    refused.merge(client, 1, Integer::sum);
                } else if (r.statusCode() >= 500 && retries < 2) {
                    retried.incrementAndGet();
                    return CompletableFuture.runAsync(() -> { },
                            CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS))
                            .thenCompose(x -> attempt(path, client, headers, retries + 1));
                }
                return CompletableFuture.<Void>completedFuture(null);
            }).thenCompose(f -> f);
        }

        void await() throws Exception {
            for (int i = 0; i < pending.size(); i++) {
                pending.get(i).get(30, TimeUnit.SECONDS);
            }
        }
    }
}
