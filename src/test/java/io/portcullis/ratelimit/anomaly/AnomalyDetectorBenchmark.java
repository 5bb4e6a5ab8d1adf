package io.portcullis.ratelimit.anomaly;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * The detector's share of one request on the hot path: {@link AnomalyDetector#check} before routing, then
 * {@link AnomalyDetector#record} after the response, for a request drawn from 4096 client IPs, 64 consumers and
 * 16 routes, 5 % of them 404s. {@code enforced=none} is the common case (nothing in force anywhere, so check is one
 * volatile read); {@code enforced=some} has one blocked IP, so every check looks up its keys. Run by 1 thread and
 * by 2 (event loops sharing the route and consumer counters). The tick is not running: it is the control thread's
 * cost, not the request's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AnomalyDetectorBenchmark {
    private static final int IPS = 4096;

    @Param({"none", "some"})
    public String enforced;

    private DefaultAnomalyDetector detector;
    private String[] ips;
    private String[] consumers;
    private String[] routes;
    private String[] paths;

    @Setup
    public void setUp() {
        detector = DefaultAnomalyDetector.builder().build();
        ips = new String[IPS];
        for (int i = 0; i < IPS; i++) {
            ips[i] = "10." + (i >> 8) + "." + (i & 255) + ".7";
        }
        consumers = new String[64];
        for (int i = 0; i < consumers.length; i++) {
            consumers[i] = "consumer-" + i;
        }
        routes = new String[16];
        for (int i = 0; i < routes.length; i++) {
            routes[i] = "route-" + i;
        }
        paths = new String[256];
        for (int i = 0; i < paths.length; i++) {
            paths[i] = "/api/v1/items/" + i;
        }
        for (String ip : ips) {
            detector.record(ip, null, null, 200, "/");
        }
        if (enforced.equals("some")) {
            // A real finding, the slow way: a scanner, then enough ticks for the rule to fire.
            long now = System.nanoTime();
            for (int s = 1; s <= 3; s++) {
                for (int i = 0; i < 40; i++) {
                    detector.record("203.0.113.66", null, null, 404, "/scan/" + s + "/" + i);
                }
                detector.tick(now + s * 1_000_000_000L);
            }
            if (detector.active().isEmpty()) {
                throw new IllegalStateException("the scanner was not flagged");
            }
        }
    }

    @Benchmark
    @Threads(1)
    public int oneThread() {
        return request();
    }

    @Benchmark
    @Threads(2)
    public int twoThreads() {
        return request();
    }

    private int request() {
        int r = ThreadLocalRandom.current().nextInt();
        String ip = ips[r & (IPS - 1)];
        String consumer = consumers[(r >>> 12) & 63];
        String route = routes[(r >>> 18) & 15];
        Action action = detector.check(ip, consumer, route);
        int status = (r >>> 22) % 20 == 0 ? 404 : 200;
        detector.record(ip, consumer, route, status, paths[(r >>> 24) & 255]);
        return action.kind().ordinal();
    }
}
