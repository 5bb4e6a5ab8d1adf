package io.portcullis.ratelimit;

import java.time.Duration;
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
 * Cost of one local token-bucket decision ({@link LocalRateLimiter#acquire}) as the rate-limit filter makes it per
 * request: on one hot key from 1 and 2 threads (two event loops contending for the key's compare-and-set), and
 * spread over 10,000 keys (the Caffeine lookup with a cold-ish cache line). {@code admit} never runs dry (every
 * decision writes), {@code refuse} always is (every decision only reads). Run with {@code -prof gc} to check the
 * hot path allocates nothing.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LocalRateLimitBenchmark {
    private static final int KEYS = 10_000;

    @Param({"admit", "refuse"})
    public String verdict;

    private LocalRateLimiter limiter;
    private String[] keys;

    @State(Scope.Thread)
    public static class Cursor {
        int next;
    }

    @Setup
    public void setUp() {
        Limit limit = verdict.equals("admit")
                ? Limit.tokenBucket(1_000_000_000, Duration.ofSeconds(1), 1_000_000) // a permit per nanosecond
                : Limit.tokenBucket(1, Duration.ofHours(1), 1);
        limiter = new LocalRateLimiter(limit, System::nanoTime);
        keys = new String[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = "client-" + i;
            limiter.acquire(keys[i], 1);
        }
    }

    @Benchmark
    @Threads(1)
    public long hotKey() {
        return limiter.acquire("client-42", 1);
    }

    @Benchmark
    @Threads(2)
    public long hotKeyTwoThreads() {
        return limiter.acquire("client-42", 1);
    }

    @Benchmark
    @Threads(1)
    public long tenThousandKeys(Cursor cursor) {
        int i = cursor.next;
        cursor.next = i + 1 == KEYS ? 0 : i + 1;
        return limiter.acquire(keys[i], 1);
    }
}
