package io.portcullis.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LocalTokenBucketTest {
    private static final Logger LOG = LoggerFactory.getLogger(LocalTokenBucketTest.class);

    private static final int THREADS = 8;

    @Test
    void burstThenRateWithRetryAfterAndRemaining() {
        ManualClock clock = new ManualClock();
        LocalRateLimiter limiter = new LocalRateLimiter(Limit.tokenBucket(10, Duration.ofSeconds(1), 5), clock);
        for (int i = 4; i >= 0; i--) {
            Decision d = limiter.decide("k", 1);
            assertThat(d.allowed()).isTrue();
            assertThat(d.remaining()).isEqualTo(i);
            assertThat(d.basis()).isEqualTo(Decision.Basis.LOCAL);
        }
        Decision refused = limiter.decide("k", 1);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfterNanos()).isEqualTo(Duration.ofMillis(100).toNanos());
        assertThat(refused.resetNanos()).isEqualTo(Duration.ofMillis(500).toNanos());
        assertThat(limiter.decide("other", 1).allowed()).isTrue(); // keys are independent

        clock.advance(Duration.ofMillis(99));
        assertThat(limiter.decide("k", 1).allowed()).isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(limiter.decide("k", 1).allowed()).isTrue();
        assertThat(limiter.decide("k", 1).allowed()).isFalse();
    }

    @Test
    void idleKeysAreDroppedWithoutChangingAnyDecision() {
        ManualClock clock = new ManualClock();
        LocalRateLimiter limiter = new LocalRateLimiter(Limit.tokenBucket(10, Duration.ofSeconds(1), 5), clock);
        for (int i = 0; i < 1000; i++) {
            limiter.acquire("client-" + i, 3);
        }
        assertThat(limiter.keyCount()).isEqualTo(1000);
        clock.advance(Duration.ofMillis(300)); // backlog 300 ms still running down: kept
        assertThat(limiter.keyCount()).isEqualTo(1000);
        clock.advance(Duration.ofMillis(200).plus(LocalRateLimiter.IDLE_MARGIN)); // long empty, so dropped
        assertThat(limiter.keyCount()).isZero();
        assertThat(limiter.decide("client-1", 5).allowed()).isTrue(); // same as the full bucket it had become
    }

    /**
     * With the clock standing still, eight threads together get exactly the burst; after an idle second the burst
     * again (a bucket holds no more); 10 ms later exactly 10.
     */
    @Test
    void exactUnderContentionOnAFrozenClock() throws Exception {
        ManualClock clock = new ManualClock();
        LocalRateLimiter limiter = new LocalRateLimiter(Limit.tokenBucket(1000, Duration.ofSeconds(1), 50), clock);
        assertThat(hammer(limiter, 20_000)).isEqualTo(50);
        clock.advance(Duration.ofSeconds(1));
        assertThat(hammer(limiter, 20_000)).isEqualTo(50);
        clock.advance(Duration.ofMillis(10));
        assertThat(hammer(limiter, 20_000)).isEqualTo(10);
        clock.advance(Duration.ofNanos(999_999));
        assertThat(hammer(limiter, 1_000)).isZero();
        clock.advance(Duration.ofNanos(1));
        assertThat(hammer(limiter, 1_000)).isEqualTo(1);
    }

    /**
     * On the real clock, eight threads hammering one key for half a second: the admitted count is
     * {@code burst + rate × elapsed} within one. For the lower bound, elapsed runs from the last admission that found
     * the bucket full (backlog 0: the first one, unless every thread stalled for the whole 500 ms burst) to the last
     * refusal, which found less than one permit; for the upper bound, from the clock's first reading to its last.
     */
    @Test
    void admittedIsBurstPlusRateTimesElapsedWithinOne() throws Exception {
        RecordingClock clock = new RecordingClock();
        Limit limit = Limit.tokenBucket(1000, Duration.ofSeconds(1), 500);
        LocalRateLimiter limiter = new LocalRateLimiter(limit, clock);
        limiter.acquire("warm-up", 1); // loads what a first key loads, which would widen the upper bound
        clock.forget();
        long stopAt = System.nanoTime() + Duration.ofMillis(500).toNanos();
        long[] fullAt = new long[THREADS];
        long[] lastRefusal = new long[THREADS];
        AtomicBoolean go = new AtomicBoolean();
        List<Callable<Long>> tasks = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            tasks.add(() -> {
                while (!go.get()) {
                    Thread.onSpinWait();
                }
                long admitted = 0;
                while (System.nanoTime() < stopAt) {
                    long word = limiter.acquire("hot", 1);
                    if (!Decision.isAllowed(word)) {
                        lastRefusal[thread] = clock.lastRead();
                    } else if (admitted++ >= 0 && word == limit.incrementNanos(1)) {
                        fullAt[thread] = clock.lastRead();
                    }
                }
                return admitted;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        long admitted = 0;
        try {
            List<Future<Long>> futures = new ArrayList<>();
            for (Callable<Long> task : tasks) {
                futures.add(pool.submit(task));
            }
            go.set(true);
            for (Future<Long> f : futures) {
                admitted += f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        long startedBy = java.util.Arrays.stream(fullAt).max().orElseThrow();
        long refusedAt = java.util.Arrays.stream(lastRefusal).max().orElseThrow();
        double perNano = 1000 / 1e9;
        double low = 500 + perNano * (refusedAt - startedBy) - 1;
        double high = 500 + perNano * (clock.max() - clock.first());
        LOG.info(String.format("local token bucket: admitted %d, bounds (%.2f, %.2f], bucket last full %d us after the"
                + " first reading, last refusal %d us before the last", admitted, low, high,
                (startedBy - clock.first()) / 1000, (clock.max() - refusedAt) / 1000));
        assertThat((double) admitted).isGreaterThan(low).isLessThanOrEqualTo(high);
    }

    private static long hammer(LocalRateLimiter limiter, int attemptsPerThread) throws Exception {
        List<Callable<Long>> tasks = new ArrayList<>();
        AtomicBoolean go = new AtomicBoolean();
        for (int t = 0; t < THREADS; t++) {
            tasks.add(() -> {
                while (!go.get()) {
                    Thread.onSpinWait();
                }
                long admitted = 0;
                for (int i = 0; i < attemptsPerThread; i++) {
                    if (Decision.isAllowed(limiter.acquire("hot", 1))) {
                        admitted++;
                    }
                }
                return admitted;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Long>> futures = new ArrayList<>();
            for (Callable<Long> task : tasks) {
                futures.add(pool.submit(task));
            }
            go.set(true);
            long sum = 0;
            for (Future<Long> f : futures) {
                sum += f.get();
            }
            return sum;
        } finally {
            pool.shutdownNow();
        }
    }

    static long runAll(List<Callable<Long>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            long sum = 0;
            for (Future<Long> f : pool.invokeAll(tasks)) {
                sum += f.get();
            }
            return sum;
        } finally {
            pool.shutdownNow();
        }
    }
}
