package io.portcullis.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portcullis.security.apikey.ApiKeys;
import io.portcullis.testing.TestBackend;
import io.portcullis.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Anomaly detection end to end, with scripted traffic from real clients (told apart by X-Forwarded-For behind a
 * trusted proxy): credential stuffing and path scanning are blocked within 10 s, listed at {@code /anomalies} and
 * can be lifted; a steady benign client is left alone.
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
        gw = TestGateway.start("""
                access_log: { enabled: false }
                server:
                  event_loops: ${LOOPS:-2}
                admin: { address: "127.0.0.1:0" }
                anomaly_detection: {}
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                    trusted_proxies: [ 127.0.0.1/32 ]
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
            long rest = 1_000_000_000L - (System.nanoTime() - secondStart);
            if (rest > 0) {
                TimeUnit.NANOSECONDS.sleep(rest);
            }
        }
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(stufferBlocked).as("credential stuffing blocked").isTrue();
        assertThat(scannerBlocked).as("path scanning blocked").isTrue();
        assertThat(tookMs).isLessThanOrEqualTo(10_500);
        HttpResponse<String> blocked = get("/api/orders", stuffer, "x-api-key", key);
        assertThat(blocked.statusCode()).isEqualTo(403);
        assertThat(blocked.body()).contains("\"error\":\"ANOMALY_BLOCKED\"");

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
        gw = TestGateway.start("""
                access_log: { enabled: false }
                server:
                  event_loops: ${LOOPS:-2}
                admin: { address: "127.0.0.1:0" }
                anomaly_detection: {}
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                    trusted_proxies: [ 127.0.0.1/32 ]
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
}
