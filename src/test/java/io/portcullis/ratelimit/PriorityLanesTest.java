package io.portcullis.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.portcullis.testing.TestGateway;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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
 * offered three times that; the high class keeps succeeding while the low class is shed with 503 and Retry-After.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PriorityLanesTest {
    private HttpServer backend;
    private ExecutorService workers;
    private TestGateway gw;

    @AfterEach
    void close() {
        if (gw != null) {
            gw.close();
        }
        if (backend != null) {
            backend.stop(0);
            workers.shutdownNow();
        }
    }

    @Test
    void atThreeTimesCapacityTheHighClassKeepsSucceedingAndTheLowClassIsShed() throws Exception {
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
            for (var f : List.copyOf(all)) {
                f.get(30, TimeUnit.SECONDS);
            }
            all.clear();
            ScheduledExecutorService both = Executors.newScheduledThreadPool(2);
            try {
                both.execute(() -> send(client, pacer, "/high", 40, 4, all, highOk, new AtomicInteger(), highOther));
                both.execute(() -> send(client, pacer, "/low", 200, 4, all, lowOk, lowShed, lowOther));
                Thread.sleep(4_500);
            } finally {
                both.shutdown();
            }
            for (var f : List.copyOf(all)) {
                f.get(30, TimeUnit.SECONDS);
            }
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

    /** Sends {@code perSecond} requests a second for {@code seconds} on a fixed schedule, counting outcomes. */
    private static void send(HttpClient client, ScheduledExecutorService pacer, String path, int perSecond,
            int seconds, List<CompletableFuture<?>> all, AtomicInteger ok, AtomicInteger shed, AtomicInteger other) {
        int total = perSecond * seconds;
        long gapMicros = 1_000_000L / perSecond;
        CompletableFuture<Void> scheduled = new CompletableFuture<>();
        AtomicInteger sent = new AtomicInteger();
        var task = pacer.scheduleAtFixedRate(() -> {
            if (sent.getAndIncrement() >= total) {
                scheduled.complete(null);
                return;
            }
            all.add(client.sendAsync(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + portOf()
                    + path)).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString())
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
