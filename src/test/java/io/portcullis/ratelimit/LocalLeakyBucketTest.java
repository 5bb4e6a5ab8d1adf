package io.portcullis.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LocalLeakyBucketTest {
    private static final Logger LOG = LoggerFactory.getLogger(LocalLeakyBucketTest.class);

    private static final long MS = 1_000_000;

    @Test
    void requestsAreSpacedAtOneOverRateAndRefusedBeyondMaxDelay() {
        ManualClock clock = new ManualClock();
        LocalRateLimiter limiter = new LocalRateLimiter(
                Limit.leakyBucket(10, Duration.ofSeconds(1), Duration.ofMillis(350)), clock);
        for (int i = 0; i < 4; i++) {
            Decision d = limiter.decide("k", 1);
            assertThat(d.allowed()).isTrue();
            assertThat(d.delayNanos()).isEqualTo(i * 100 * MS);
            assertThat(d.remaining()).isEqualTo(3 - i);
        }
        Decision refused = limiter.decide("k", 1);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfterNanos()).isEqualTo(50 * MS); // the queue is 400 ms long; 350 ms may wait
        assertThat(refused.delayNanos()).isZero();

        clock.advance(Duration.ofMillis(50));
        assertThat(limiter.decide("k", 1).delayNanos()).isEqualTo(350 * MS); // waits exactly max_delay
        clock.advance(Duration.ofMillis(1000));
        assertThat(limiter.decide("k", 1).delayNanos()).isZero(); // drained
    }

    @Test
    void zeroMaxDelayAdmitsOnlyWhatFitsTheRate() {
        ManualClock clock = new ManualClock();
        LocalRateLimiter limiter = new LocalRateLimiter(Limit.leakyBucket(10, Duration.ofSeconds(1), Duration.ZERO),
                clock);
        assertThat(limiter.decide("k", 1).allowed()).isTrue();
        assertThat(limiter.decide("k", 1).allowed()).isFalse();
        clock.advance(Duration.ofMillis(100));
        assertThat(limiter.decide("k", 1).allowed()).isTrue();
    }

    /**
     * Eight threads on the real clock: every admitted request's start time ({@code now + delay}) is at least one
     * interval after the previous one and none waits beyond max delay. Places are used up unless every thread was
     * descheduled longer than the queue (50 ms), which a loaded two-core machine does now and then.
     */
    @Test
    void concurrentStartsAreSpacedExactly() throws Exception {
        RecordingClock clock = new RecordingClock();
        Limit limit = Limit.leakyBucket(1000, Duration.ofSeconds(1), Duration.ofMillis(50));
        LocalRateLimiter limiter = new LocalRateLimiter(limit, clock);
        long stopAt = System.nanoTime() + Duration.ofMillis(300).toNanos();
        List<List<Long>> starts = Collections.synchronizedList(new ArrayList<>());
        List<Callable<Long>> tasks = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            tasks.add(() -> {
                List<Long> mine = new ArrayList<>();
                while (System.nanoTime() < stopAt) {
                    long word = limiter.acquire("queue", 1);
                    if (Decision.isAllowed(word)) {
                        long delay = limit.delayNanos(word, 1);
                        assertThat(delay).isBetween(0L, 50 * MS);
                        mine.add(clock.lastRead() + delay);
                    }
                }
                starts.add(mine);
                return (long) mine.size();
            });
        }
        long admitted = LocalTokenBucketTest.runAll(tasks);
        List<Long> all = new ArrayList<>();
        starts.forEach(all::addAll);
        Collections.sort(all);
        long minGap = Long.MAX_VALUE;
        for (int i = 1; i < all.size(); i++) {
            minGap = Math.min(minGap, all.get(i) - all.get(i - 1));
        }
        long span = all.get(all.size() - 1) - all.get(0);
        LOG.info(String.format("local leaky bucket: %d admitted, starts %d ns apart at least, span %d ms", admitted,
                minGap, span / MS));
        assertThat(minGap).isEqualTo(limit.intervalNanos());
        assertThat(admitted).isLessThanOrEqualTo(span / limit.intervalNanos() + 1)
                .isGreaterThan(span / limit.intervalNanos() * 9 / 10);
    }
}
