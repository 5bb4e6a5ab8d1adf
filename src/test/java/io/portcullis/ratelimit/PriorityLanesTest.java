package io.portcullis.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.RSAKey;
import com.sun.net.httpserver.HttpServer;
import io.portcullis.config.ConfigLoader;
import io.portcullis.security.apikey.ApiKeys;
import io.portcullis.testing.JwksServer;
import io.portcullis.testing.TestGateway;
import io.portcullis.testing.TestKeys;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Priority lanes under overload, end to end: a backend that can serve 80 requests a second (4 workers, 50 ms each),
 * offered three times that; the high class (by route, or by what the authenticated consumer earns) keeps succeeding
 * while the low class is shed with 503 and Retry-After.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PriorityLanesTest {
    private HttpServer backend;
    private ExecutorService workers;
    private TestGateway gw;
    private JwksServer jwks;

    @AfterEach
    void close() {
        if (gw != null) {
            gw.close();
        }
        if (jwks != null) {
            jwks.close();
        }
        if (backend != null) {
            backend.stop(0);
            workers.shutdownNow();
        }
    }

    @Test
    void atThreeTimesCapacityTheHighClassKeepsSucceedingAndTheLowClassIsShed() throws Exception {
        startSlowBackend();
        gw = TestGateway.start("""
                access_log: { enabled: false }
                server:
                  event_loops: ${LOOPS:-2}
                listeners: [ { name: public, address: "127.0.0.1:0" } ]
                overload:
                  classes: [ low, high ]
                  initial_limit: 8
                  min_limit: 4
                  max_limit: 40
                  max_queue_per_class: 50
                  max_queue_time: 1s
                routes:
                  - name: high
                    match: { path_prefix: /high }
                    cluster: api
                    timeout: 10s
                    security: { priority: high }
                  - name: low
                    match: { path_prefix: /low }
                    cluster: api
                    timeout: 10s
                    security: { priority: low }
                clusters:
                  - name: api
                    endpoints: [ "127.0.0.1:${B}" ]
                    pool: { max_connections: 64 }
                """, Map.of("B", Integer.toString(backend.getAddress().getPort())));

        port = gw.port();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        ScheduledExecutorService pacer = Executors.newScheduledThreadPool(2);
        AtomicInteger highOk = new AtomicInteger();
        AtomicInteger highOther = new AtomicInteger();
        AtomicInteger lowOk = new AtomicInteger();
        AtomicInteger lowShed = new AtomicInteger();
        AtomicInteger lowOther = new AtomicInteger();
        List<CompletableFuture<?>> all = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            // Warm up at capacity for a second so the limit has seen the backend's latency, then 240/s for 4 s:
            // 40/s high, 200/s low.
            send(client, pacer, "/low", 60, 1, all, new AtomicInteger(), new AtomicInteger(), new AtomicInteger());
            awaitAll(all);
            all.clear();
            ScheduledExecutorService both = Executors.newScheduledThreadPool(2);
            try {
                both.execute(() -> send(client, pacer, "/high", 40, 4, all, highOk, new AtomicInteger(), highOther));
                both.execute(() -> send(client, pacer, "/low", 200, 4, all, lowOk, lowShed, lowOther));
                Thread.sleep(4_500);
            } finally {
                both.shutdown();
            }
            awaitAll(all);
        } finally {
            pacer.shutdownNow();
        }
        int high = highOk.get() + highOther.get();
        assertThat(high).isGreaterThanOrEqualTo(150);
        assertThat((double) highOk.get() / high).as("high-class success (ok %d, other %d)", highOk.get(),
                highOther.get()).isGreaterThanOrEqualTo(0.99);
        assertThat(lowShed.get()).as("low class shed (ok %d, shed %d, other %d)", lowOk.get(), lowShed.get(),
                lowOther.get()).isGreaterThan(lowOk.get());
    }

    /**
     * One low-priority route, three consumers: {@code checkout} is high by name, {@code partner} by the plan claim of
     * its token (copied into {@code x-plan} by authentication), and {@code free} forges both the plan and the
     * consumer header. At three times capacity the first two keep succeeding and the forger is shed.
     */
    @Test
    void aConsumerEarnsItsClassByNameOrByAGatewaySetHeaderButNotByHeadersItSends() throws Exception {
        startSlowBackend();
        RSAKey signing = TestKeys.rsa("k1");
        jwks = new JwksServer(TestKeys.jwks(signing));
        String checkout = ApiKeys.generate(new SecureRandom());
        String free = ApiKeys.generate(new SecureRandom());
        String partner = "Bearer " + TestKeys.sign(signing, JWSAlgorithm.RS256,
                TestKeys.claims(Instant.now()).subject("partner").claim("plan", "gold").build());
        gw = TestGateway.start("""
                access_log: { enabled: false }
                server:
                  event_loops: ${LOOPS:-2}
                listeners: [ { name: public, address: "127.0.0.1:0" } ]
                security:
                  jwt:
                    - { name: idp, jwks_url: "${JWKS}", issuer: https://idp.test, audiences: [ orders-api ],
                        claims_to_headers: { plan: x-plan } }
                  api_keys:
                    consumers:
                      - { name: checkout, keys: [ "${CHECKOUT}" ] }
                      - { name: free, keys: [ "${FREE}" ] }
                overload:
                  classes: [ low, high ]
                  consumers: { checkout: high }
                  header: { name: x-plan, values: { gold: high } }
                  initial_limit: 8
                  min_limit: 4
                  max_limit: 40
                  max_queue_per_class: 50
                  max_queue_time: 1s
                routes:
                  - name: api
                    match: { path_prefix: /api }
                    cluster: api
                    timeout: 10s
                    security: { priority: low, auth: [ api_key, "jwt:idp" ] }
                clusters:
                  - name: api
                    endpoints: [ "127.0.0.1:${B}" ]
                    pool: { max_connections: 64 }
                """, Map.of("B", Integer.toString(backend.getAddress().getPort()), "JWKS", jwks.uri().toString(),
                "CHECKOUT", ApiKeys.hash(checkout), "FREE", ApiKeys.hash(free)));
        port = gw.port();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        ScheduledExecutorService pacer = Executors.newScheduledThreadPool(3);
        AtomicInteger[] checkoutOutcome = counters();
        AtomicInteger[] partnerOutcome = counters();
        AtomicInteger[] freeOutcome = counters();
        List<CompletableFuture<?>> all = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            send(client, pacer, "/api/warm", 60, 1, all, counters()[0], counters()[1], counters()[2],
                    "x-api-key", checkout);
            awaitAll(all);
            all.clear();
            // 240/s for 4 s: 20/s each from the two high consumers, 200/s from the forger.
            ExecutorService three = Executors.newFixedThreadPool(3);
            try {
                three.execute(() -> send(client, pacer, "/api/pay", 20, 4, all, checkoutOutcome[0],
                        checkoutOutcome[1], checkoutOutcome[2], "x-api-key", checkout));
                three.execute(() -> send(client, pacer, "/api/orders", 20, 4, all, partnerOutcome[0],
                        partnerOutcome[1], partnerOutcome[2], "authorization", partner));
                three.execute(() -> send(client, pacer, "/api/feed", 200, 4, all, freeOutcome[0], freeOutcome[1],
                        freeOutcome[2], "x-api-key", free, "x-plan", "gold", "x-consumer", "checkout"));
                Thread.sleep(4_500);
            } finally {
                three.shutdown();
            }
            awaitAll(all);
        } finally {
            pacer.shutdownNow();
        }
        for (AtomicInteger[] high : List.of(checkoutOutcome, partnerOutcome)) {
            int total = high[0].get() + high[2].get();
            assertThat(total).isGreaterThanOrEqualTo(75);
            assertThat((double) high[0].get() / total).as("high-class success (ok %d, other %d)", high[0].get(),
                    high[2].get()).isGreaterThanOrEqualTo(0.99);
        }
        assertThat(freeOutcome[1].get()).as("forger shed (ok %d, shed %d, other %d)", freeOutcome[0].get(),
                freeOutcome[1].get(), freeOutcome[2].get()).isGreaterThan(freeOutcome[0].get());
    }

    private static void awaitAll(List<CompletableFuture<?>> all) throws Exception {
        for (var f : List.copyOf(all)) {
            f.get(30, TimeUnit.SECONDS);
        }
    }

    /** ok, shed, other. */
    private static AtomicInteger[] counters() {
        return new AtomicInteger[] {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
    }

    /** A reload may add, change and remove the classes; every route keeps being served by the controller it names. */
    @Test
    void reloadsThatChangeTheClassesKeepServing() throws Exception {
        startSlowBackend();
        String routes = """
                routes:
                  - { name: api, match: { path_prefix: / }, cluster: api, security: { priority: %s } }
                clusters:
                  - { name: api, endpoints: [ "127.0.0.1:${B}" ] }
                """;
        Map<String, String> env = Map.of("B", Integer.toString(backend.getAddress().getPort()));
        gw = TestGateway.start("listeners: [ { name: public, address: \"127.0.0.1:0\" } ]\n"
                + "overload: { classes: [ low, high ] }\n" + routes.formatted("high"), env);
        assertThat(gw.get("/1").statusCode()).isEqualTo(200);
        for (String next : List.of("overload: { classes: [ low, normal, high, top ] }\n" + routes.formatted("top"),
                routes.replace(", security: { priority: %s }", ""),
                "overload: { classes: [ a, b, c ] }\n" + routes.formatted("c"))) {
            gw.gateway().reload(new ConfigLoader(env::get).parse(
                    "listeners: [ { name: public, address: \"127.0.0.1:0\" } ]\n" + next, "test.yaml"));
            assertThat(gw.get("/2").statusCode()).as("after a reload to %s", next).isEqualTo(200);
        }
    }

    /** A backend that serves 80 requests a second: 4 workers, 50 ms each. */
    private void startSlowBackend() throws Exception {
        workers = Executors.newFixedThreadPool(4);
        backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        backend.createContext("/", exchange -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "ok".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        backend.setExecutor(workers);
        backend.start();
    }

    /** Sends {@code perSecond} requests a second for {@code seconds} on a fixed schedule, counting outcomes. */
    private static void send(HttpClient client, ScheduledExecutorService pacer, String path, int perSecond,
            int seconds, List<CompletableFuture<?>> all, AtomicInteger ok, AtomicInteger shed, AtomicInteger other,
            String... headers) {
        int total = perSecond * seconds;
        long gapMicros = 1_000_000L / perSecond;
        CompletableFuture<Void> scheduled = new CompletableFuture<>();
        AtomicInteger sent = new AtomicInteger();
        var task = pacer.scheduleAtFixedRate(() -> {
            if (sent.getAndIncrement() >= total) {
                scheduled.complete(null);
                return;
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + portOf()
                    + path)).timeout(Duration.ofSeconds(20));
            for (int i = 0; i < headers.length; i += 2) {
                request.header(headers[i], headers[i + 1]);
            }
            all.add(client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
                    .handle((r, e) -> {
                        if (r != null && r.statusCode() == 200) {
                            ok.incrementAndGet();
                        } else if (r != null && r.statusCode() == 503 && r.headers().firstValue("retry-after")
                                .isPresent() && r.body().contains("OVERLOADED")) {
                            shed.incrementAndGet();
                        } else {
                            other.incrementAndGet();
                        }
                        return null;
                    }));
        }, 0, gapMicros, TimeUnit.MICROSECONDS);
        scheduled.join();
        task.cancel(false);
    }

    private static volatile int port;

    private static int portOf() {
        return port;
    }
}
