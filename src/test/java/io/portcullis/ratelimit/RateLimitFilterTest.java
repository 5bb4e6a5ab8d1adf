package io.portcullis.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.security.apikey.ApiKeys;
import io.portcullis.testing.TestBackend;
import io.portcullis.testing.TestGateway;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Local rate limits end to end: exact token buckets, tiers by role, leaky-bucket spacing, the response fields. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RateLimitFilterTest {
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

    private void start(String top, String routeSecurity, Map<String, String> env) throws Exception {
        backend = new TestBackend("b");
        Map<String, String> vars = new HashMap<>(env);
        vars.put("B", backend.address());
        gw = TestGateway.start("""
                access_log: { enabled: false }
                server:
                  event_loops: ${LOOPS:-2}
                listeners: [ { name: public, address: "127.0.0.1:0" } ]
                """ + top + """
                routes:
                  - name: all
                    match: { path_prefix: / }
                    cluster: api
                """ + routeSecurity + """
                clusters:
                  - name: api
                    endpoints: [ "${B}" ]
                """, vars);
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.uri(path)).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return gw.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aTokenBucketAdmitsItsBurstThenRefusesWith429AndTheFields() throws Exception {
        start("""
                rate_limits:
                  - { name: per-ip, rate: 1, per: 1h, burst: 5 }
                """, """
                    security: { rate_limits: [ per-ip ] }
                """, Map.of());
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> ok = get("/x");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.headers().firstValue("ratelimit-policy")).hasValue("\"per-ip\";q=5;w=3600");
            String expected = "\"per-ip\";r=" + (4 - i) + ";t=";
            assertThat(ok.headers().firstValue("ratelimit")).hasValueSatisfying(v -> assertThat(v).startsWith(expected));
        }
        HttpResponse<String> refused = get("/x");
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.body()).contains("\"error\":\"RATE_LIMITED\"", "\"request_id\":\"");
        long retryAfter = Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow());
        assertThat(retryAfter).isBetween(3590L, 3600L); // one token per hour: the next comes an hour after the burst
        assertThat(refused.headers().firstValue("ratelimit")).hasValueSatisfying(v -> assertThat(v).contains(";r=0;"));
        assertThat(backend.requestCount()).isEqualTo(5);
        assertThat(gw.gateway().metrics().scrape()).contains("portcullis_security_rejections_total{filter="
                + "\"rate_limit\",reason=\"RATE_LIMITED\",route=\"all\"} 1.0");
    }

    @Test
    void tiersByRoleAndTheMostRestrictiveLimitDecides() throws Exception {
        String free = ApiKeys.generate(new SecureRandom());
        String partner = ApiKeys.generate(new SecureRandom());
        String partner2 = ApiKeys.generate(new SecureRandom());
        backend = new TestBackend("b");
        gw = TestGateway.start("""
                access_log: { enabled: false }
                server:
                  event_loops: ${LOOPS:-2}
                listeners: [ { name: public, address: "127.0.0.1:0" } ]
                security:
                  api_keys:
                    consumers:
                      - { name: free-co, roles: [ free ], keys: [ "${FREE}" ] }
                      - { name: partner-co, roles: [ partner ], keys: [ "${PARTNER}" ] }
                      - { name: partner-two, roles: [ partner ], keys: [ "${PARTNER2}" ] }
                rate_limits:
                  - name: per-consumer
                    key: [ consumer ]
                    rate: 1
                    per: 1h
                    burst: 2
                    tiers: [ { role: partner, rate: 1, burst: 6 } ]
                  - { name: tight-ip, rate: 1, per: 1h, burst: 3 }
                routes:
                  - name: tiers
                    match: { path_prefix: /tiers }
                    cluster: api
                    security: { auth: [ api_key ], rate_limits: [ per-consumer ] }
                  - name: both
                    match: { path_prefix: /both }
                    cluster: api
                    security: { auth: [ api_key ], rate_limits: [ tight-ip, per-consumer ] }
                clusters:
                  - name: api
                    endpoints: [ "${B}" ]
                """, Map.of("FREE", ApiKeys.hash(free), "PARTNER", ApiKeys.hash(partner), "PARTNER2",
                ApiKeys.hash(partner2), "B", backend.address()));
        assertThat(admitted("/tiers", free)).isEqualTo(2); // the base rate
        assertThat(admitted("/tiers", partner)).isEqualTo(6); // the partner tier
        // Both limits apply on /both: the partner tier would allow 6, the per-IP limit allows 3 and decides.
        assertThat(admitted("/both", partner2)).isEqualTo(3);
    }

    private int admitted(String path, String key) throws Exception {
        int ok = 0;
        for (int i = 0; i < 10; i++) {
            ok += get(path, "x-api-key", key).statusCode() == 200 ? 1 : 0;
        }
        return ok;
    }

    @Test
    void aLeakyBucketSpacesRequestsAndRefusesBeyondItsDelay() throws Exception {
        start("""
                rate_limits:
                  - { name: smooth, algorithm: leaky_bucket, rate: 10, per: 1s, max_delay: 300ms }
                """, """
                    security: { rate_limits: [ smooth ] }
                """, Map.of());
        java.util.List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> all = new java.util.ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < 8; i++) {
            all.add(gw.client().sendAsync(HttpRequest.newBuilder(gw.uri("/s")).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString()));
        }
        int ok = 0;
        int refused = 0;
        for (var f : all) {
            int status = f.get(10, TimeUnit.SECONDS).statusCode();
            ok += status == 200 ? 1 : 0;
            refused += status == 429 ? 1 : 0;
        }
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        // 10/s with up to 300 ms of queueing: the first at once, three more 100, 200, 300 ms later; the rest refused.
        assertThat(ok).isEqualTo(4);
        assertThat(refused).isEqualTo(4);
        assertThat(tookMs).isGreaterThanOrEqualTo(290);
    }
}
