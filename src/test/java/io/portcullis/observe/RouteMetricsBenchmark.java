package io.portcullis.observe;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Cost of one {@link RouteMetrics#record} against the real Prometheus registry, from one thread and from two threads
 * sharing the route (the hot-route case: every event loop records into the same meters). Each invocation takes the
 * next of 1024 pre-computed exchanges: mostly 2xx with some 4xx, 5xx and aborts, durations spread log-uniformly over
 * 0.2 ms..5 s so the bucket search does not see one value, and one in ten never reaching a backend.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RouteMetricsBenchmark {
    private static final int EXCHANGES = 1024;

    private GatewayMetrics metrics;
    private RouteMetrics route;
    private final int[] statuses = new int[EXCHANGES];
    private final long[] totals = new long[EXCHANGES];
    private final long[] upstreams = new long[EXCHANGES];
    private final long[] sizes = new long[EXCHANGES];

    /** Each thread walks the exchanges with its own cursor. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;
    }

    @Setup
    public void setUp() {
        metrics = GatewayMetrics.create();
        route = metrics.route("api", "backend");
        SplittableRandom random = new SplittableRandom(21);
        int[] mix = {200, 200, 200, 200, 200, 200, 201, 204, 304, 404, 429, 502, 503, 0};
        for (int i = 0; i < EXCHANGES; i++) {
            statuses[i] = mix[random.nextInt(mix.length)];
            long total = (long) (200_000 * Math.pow(25_000, random.nextDouble()));
            totals[i] = total;
            upstreams[i] = random.nextInt(10) == 0 ? -1 : total * 9 / 10;
            sizes[i] = random.nextInt(4) == 0 ? 0 : random.nextInt(65_536);
        }
    }

    @TearDown
    public void tearDown() {
        metrics.close();
    }

    @Benchmark
    public void record(Cursor c) {
        int i = c.next;
        c.next = (i + 1) & (EXCHANGES - 1);
        route.record(statuses[i], totals[i], upstreams[i], sizes[i], sizes[EXCHANGES - 1 - i]);
    }

    @Benchmark
    @Threads(2)
    public void recordTwoThreads(Cursor c) {
        record(c);
    }
}
