package io.portcullis.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.BackendProcess;
import io.portcullis.testing.GatewayProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chaos with real processes on loopback: the gateway (the shaded jar) in front of three backends, each in its own
 * JVM, under steady concurrent load of idempotent requests. Loops are bounded by time and stop by themselves.
 * Prints the figures {@code bench/RESULTS.md} records.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ChaosIT {
    private static final Logger LOG = LoggerFactory.getLogger(ChaosIT.class);
    private static final int CLIENTS = 8;

    /** Counts outcomes of a steady load until stopped: who answered, and every failure with its reason. */
    private static final class Load implements AutoCloseable {
        final Map<String, AtomicInteger> servedBy = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        /** Every answer: when it arrived, how long it took, and what it was. */
        final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        final AtomicLong total = new AtomicLong();
        final AtomicBoolean stop = new AtomicBoolean();
        final ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        final List<Future<?>> clients = new ArrayList<>();

        Load(int port) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(2)).build();
            for (int c = 0; c < CLIENTS; c++) {
                clients.add(pool.submit(() -> {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // bounded, whatever happens
                    while (!stop.get() && System.nanoTime() < deadline) {
                        long sent = System.nanoTime();
                        try {
                            HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + port + "/item")).timeout(Duration.ofSeconds(5))
                                    .build(), HttpResponse.BodyHandlers.ofString());
                            total.incrementAndGet();
                            long now = System.nanoTime();
                            outcomes.add(new Outcome(now, now - sent, r.statusCode(),
                                    r.headers().firstValue("x-portcullis-fallback").isPresent()));
                            if (r.statusCode() == 200) {
                                servedBy.computeIfAbsent(r.body(), k -> new AtomicInteger()).incrementAndGet();
                            } else {
                                failures.add(r.statusCode() + " " + r.body());
                            }
                        } catch (Exception e) {
                            total.incrementAndGet();
                            failures.add(e.toString());
                        }
                    }
                    return null;
                }));
            }
        }

        int served(String name) {
            AtomicInteger n = servedBy.get(name);
            return n == null ? 0 : n.get();
        }

        @Override
        public void close() throws Exception {
            stop.set(true);
            for (Future<?> f : clients) {
                f.get(30, TimeUnit.SECONDS);
            }
            pool.shutdownNow();
        }
    }

    private record Outcome(long atNanos, long latencyNanos, int status, boolean fallback) {
    }

    private static void sleep(long millis) throws InterruptedException {
        TimeUnit.MILLISECONDS.sleep(millis); // the load runs meanwhile; this paces the scenario, not a wait-for
    }

    @Test
    void killingOneOfThreeBackendsFailsNoRequestAndTrafficReturnsAfterItRestarts() throws Exception {
        List<BackendProcess> backends = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            backends.add(BackendProcess.start("b" + i, 0));
        }
        Path config = Files.createTempFile("chaos", ".yaml");
        Files.writeString(config, """
                access_log: { enabled: false }
                listeners: [ { name: public, address: "127.0.0.1:0" } ]
                routes: [ { name: all, match: { path_prefix: / }, cluster: api } ]
                clusters:
                  - name: api
                    lb_policy: least_request
                    endpoints: [ "%s", "%s", "%s" ]
                    connect_timeout: 250ms
                    retry: { max_retries: 2, budget: { percent: 50, min_retries: 10 } }
                    health_check: { tcp: {}, interval: 100ms, timeout: 200ms, unhealthy_threshold: 1, healthy_threshold: 1 }
                """.formatted(backends.get(0).address(), backends.get(1).address(), backends.get(2).address()));
        try (GatewayProcess gw = GatewayProcess.run(config)) {
            Load load = new Load(gw.port());
            try (load) {
                // Steady state first: every backend has taken traffic (JVMs warm up), bounded.
                long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while ((load.served("b0") < 50 || load.served("b1") < 50 || load.served("b2") < 50)
                        && System.nanoTime() < warm) {
                    sleep(20);
                }
                int before = load.served("b1");
                long killedAt = System.nanoTime();
                backends.get(1).kill();
                sleep(2500);
                int duringOutage = load.served("b1") - before;
                long restartedAt = System.nanoTime();
                backends.set(1, BackendProcess.start("b1", backends.get(1).port()));
                int atRestart = load.served("b1");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (load.served("b1") == atRestart && System.nanoTime() < deadline) {
                    sleep(10);
                }
                long recoveredMillis = (System.nanoTime() - restartedAt) / 1_000_000;
                sleep(500);
                LOG.info("chaos kill-one-of-three: {} requests, {} failed, b1 served {} before the kill and {} in "
                                + "the {} ms after it (in flight when killed), traffic back {} ms after the restart",
                        load.total.get(), load.failures.size(), before, duringOutage,
                        (restartedAt - killedAt) / 1_000_000, recoveredMillis);
                LOG.info("served by: {}", load.servedBy);
                assertThat(load.failures).as("failed requests").isEmpty();
                assertThat(before).isPositive();
                assertThat(load.served("b1")).as("traffic returns to the restarted backend").isGreaterThan(atRestart);
                assertThat(load.served("b0")).isPositive();
                assertThat(load.served("b2")).isPositive();
            }
        } finally {
            for (BackendProcess b : backends) {
                b.close();
            }
        }
    }

    @Test
    void whenEveryBackendFailsTheBreakerAnswersFromTheFallbackAndClosesWhenTheyHeal() throws Exception {
        List<BackendProcess> backends = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            backends.add(BackendProcess.start("b" + i, 0));
        }
        Path config = Files.createTempFile("chaos-breaker", ".yaml");
        Files.writeString(config, """
                access_log: { enabled: false }
                listeners: [ { name: public, address: "127.0.0.1:0" } ]
                routes:
                  - name: all
                    match: { path_prefix: / }
                    cluster: api
                    fallback: { static: { status: 200, body: fallback } }
                clusters:
                  - name: api
                    endpoints: [ "%s", "%s", "%s" ]
                    circuit_breaker: { minimum_calls: 20, failure_rate: 50, window: 5s, open_duration: 1s, half_open_calls: 3 }
                """.formatted(backends.get(0).address(), backends.get(1).address(), backends.get(2).address()));
        HttpClient control = HttpClient.newHttpClient();
        try (GatewayProcess gw = GatewayProcess.run(config)) {
            Load load = new Load(gw.port());
            try (load) {
                long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (load.served("b0") + load.served("b1") + load.served("b2") < 300 && System.nanoTime() < warm) {
                    sleep(20);
                }
                long brokeAt = System.nanoTime();
                for (BackendProcess b : backends) {
                    setStatus(control, b, 500);
                }
                sleep(3000);
                long healedAt = System.nanoTime();
                for (BackendProcess b : backends) {
                    setStatus(control, b, 200);
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (System.nanoTime() < deadline && load.outcomes.stream()
                        .noneMatch(o -> o.atNanos() > healedAt && o.status() == 200 && !o.fallback())) {
                    sleep(10);
                }
                sleep(300);
                load.stop.set(true);
                List<Outcome> all = new ArrayList<>(load.outcomes);
                long firstFallback = all.stream().filter(o -> o.fallback() && o.atNanos() > brokeAt)
                        .mapToLong(Outcome::atNanos).min().orElse(Long.MAX_VALUE);
                long errors = all.stream().filter(o -> o.status() == 500).count();
                long[] fallbackMicros = all.stream().filter(Outcome::fallback)
                        .mapToLong(o -> o.latencyNanos() / 1000).sorted().toArray();
                long firstHealed = all.stream().filter(o -> o.atNanos() > healedAt && o.status() == 200
                        && !o.fallback()).mapToLong(Outcome::atNanos).min().orElse(Long.MAX_VALUE);
                long p50 = fallbackMicros.length == 0 ? -1 : fallbackMicros[fallbackMicros.length / 2];
                long p99 = fallbackMicros.length == 0 ? -1
                        : fallbackMicros[(int) Math.ceil(fallbackMicros.length * 0.99) - 1];
                LOG.info("chaos breaker: {} requests; {} answered 500 before the breaker opened; opened {} ms after "
                                + "every backend started failing; {} fallback answers, latency p50 {} µs, p99 {} µs; "
                                + "backends answered again {} ms after they healed", all.size(), errors,
                        (firstFallback - brokeAt) / 1_000_000, fallbackMicros.length, p50, p99,
                        (firstHealed - healedAt) / 1_000_000);
                assertThat(firstFallback).as("the breaker opened").isLessThan(healedAt);
                assertThat(fallbackMicros).isNotEmpty();
                assertThat(p99).as("fallbacks answer within milliseconds, not after a timeout").isLessThan(50_000);
                assertThat(firstHealed).as("the breaker closed by itself").isLessThan(Long.MAX_VALUE);
                assertThat(load.failures).allSatisfy(f -> assertThat(f).startsWith("500"));
            }
        } finally {
            for (BackendProcess b : backends) {
                b.close();
            }
        }
    }

    private static void setStatus(HttpClient client, BackendProcess backend, int status) throws Exception {
        HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create("http://" + backend.address()
                + "/_control/status/" + status)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(r.statusCode()).isEqualTo(204);
    }
}
