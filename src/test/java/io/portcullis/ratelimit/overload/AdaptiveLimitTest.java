package io.portcullis.ratelimit.overload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AdaptiveLimitTest {
    private static final long MS = 1_000_000;
    private static final long SERVICE = 10 * MS;

    private final ManualClock clock = new ManualClock();

    private AdaptiveLimit.Builder builder() {
        return AdaptiveLimit.builder().nanoClock(clock).initialLimit(50).minLimit(5).maxLimit(500)
                .window(Duration.ofMillis(100)).minWindowSamples(10);
    }

    /** One window of {@code n} samples, the last arriving after the window's time is up. */
    private void window(AdaptiveLimit limit, long rtt, int inFlight, int dropped, int n) {
        for (int i = 0; i < n - 1; i++) {
            limit.onSample(rtt, inFlight, i < dropped);
        }
        clock.advance(Duration.ofMillis(100));
        limit.onSample(rtt, inFlight, false);
    }

    /**
     * A backend that serves {@code capacity} requests at once in {@link #SERVICE}; the rest wait, so the round trip
     * grows with the limit once the limit passes the capacity. The gateway is saturated: the limit is all used.
     */
    private List<Integer> saturate(AdaptiveLimit limit, int capacity, int windows) {
        List<Integer> trace = new ArrayList<>();
        for (int w = 0; w < windows; w++) {
            int l = limit.limit();
            long rtt = SERVICE * Math.max(l, capacity) / capacity;
            window(limit, rtt, l, 0, 20);
            trace.add(limit.limit());
        }
        return trace;
    }

    @Test
    void limitFollowsTheBackendsCapacityDownAndBackUp() {
        AdaptiveLimit limit = builder().build();

        List<Integer> wide = saturate(limit, 100, 100);
        int settledWide = limit.limit();
        // Equilibrium: limit * tolerance * capacity / limit + sqrt(limit) = limit, i.e. 1.5 * 100 + sqrt(limit).
        assertThat(settledWide).as("capacity 100: %s", wide).isBetween(140, 185);
        assertThat(limit.baselineNanos()).isBetween(SERVICE, SERVICE * 11 / 10);

        List<Integer> narrow = saturate(limit, 20, 60);
        assertThat(limit.limit()).as("capacity 20: %s", narrow).isBetween(25, 50);
        assertThat(narrow.get(9)).as("falls fast: %s", narrow).isLessThan(settledWide / 2);

        List<Integer> back = saturate(limit, 100, 60);
        assertThat(limit.limit()).as("capacity 100 again: %s", back).isBetween(140, 185);
    }

    @Test
    void latencyThatDoesNotFallWithTheLimitDrivesItToTheMinimum() {
        AdaptiveLimit limit = builder().build();
        window(limit, SERVICE, 50, 0, 20); // learns the baseline
        for (int w = 0; w < 60; w++) {
            window(limit, 4 * SERVICE, limit.limit(), 0, 20);
        }
        assertThat(limit.limit()).isEqualTo(5);
    }

    @Test
    void eachWindowCutsAtMostATenthSoOneSlowWindowCannotCollapseTheLimit() {
        AdaptiveLimit limit = builder().build();
        window(limit, SERVICE, 50, 0, 20);
        int before = limit.limit();
        window(limit, 100 * SERVICE, before, 0, 20);
        // target = limit * 0.5 + sqrt(limit), smoothed by 0.2
        assertThat(limit.limit()).isEqualTo((int) (before * 0.9 + 0.2 * Math.sqrt(before)));
    }

    @Test
    void manyDropsShrinkTheLimitEvenAtNormalLatency() {
        AdaptiveLimit limit = builder().build();
        window(limit, SERVICE, 50, 0, 20);
        int before = limit.limit();
        for (int w = 0; w < 20; w++) {
            window(limit, SERVICE, limit.limit(), 10, 20); // half of them time out
        }
        assertThat(limit.limit()).isLessThan(before / 2);
    }

    @Test
    void aFewDropsAreOutweighedByTheHeadroom() {
        AdaptiveLimit limit = builder().build();
        window(limit, SERVICE, 50, 0, 20);
        int before = limit.limit();
        for (int w = 0; w < 10; w++) {
            window(limit, SERVICE, limit.limit(), 1, 100); // 1% errors
        }
        assertThat(limit.limit()).isGreaterThanOrEqualTo(before);
    }

    @Test
    void aGatewayThatUsesLessThanHalfItsLimitDoesNotGrowIt() {
        AdaptiveLimit limit = builder().build();
        for (int w = 0; w < 50; w++) {
            window(limit, SERVICE, 24, 0, 20);
        }
        assertThat(limit.limit()).isEqualTo(50);
        window(limit, SERVICE, 25, 0, 20);
        assertThat(limit.limit()).isGreaterThan(50);
    }

    @Test
    void growsToTheMaximumWhileLatencyStaysFlat() {
        AdaptiveLimit limit = builder().build();
        List<Integer> trace = new ArrayList<>();
        for (int w = 0; w < 200; w++) {
            window(limit, SERVICE, limit.limit(), 0, 20);
            trace.add(limit.limit());
        }
        // sqrt(limit) grows by smoothing / 2 per window: from sqrt(50) to sqrt(500) in about 150 windows
        assertThat(trace.get(99)).isBetween(250, 350);
        assertThat(limit.limit()).isEqualTo(500);
    }

    @Test
    void aWindowIsJudgedOnlyOnceItHasEnoughSamples() {
        AdaptiveLimit limit = builder().build();
        window(limit, SERVICE, 50, 0, 9);
        assertThat(limit.baselineNanos()).isZero();
        clock.advance(Duration.ofSeconds(5));
        limit.onSample(SERVICE, 50, false);
        assertThat(limit.baselineNanos()).isEqualTo(SERVICE);
    }

    @Test
    void theBaselineRisesSlowlyWhenTheBackendBecomesSlowerForGood() {
        AdaptiveLimit limit = builder().baselineRecovery(Duration.ofSeconds(10)).build();
        window(limit, SERVICE, 50, 0, 20);
        for (int w = 0; w < 10; w++) {
            window(limit, 2 * SERVICE, limit.limit(), 0, 20); // one second
        }
        assertThat(limit.baselineNanos()).isBetween(SERVICE + SERVICE / 20, SERVICE + SERVICE / 5);
        for (int w = 0; w < 300; w++) {
            window(limit, 2 * SERVICE, limit.limit(), 0, 20); // thirty seconds
        }
        assertThat(limit.baselineNanos()).isGreaterThan(2 * SERVICE * 95 / 100);
        assertThat(limit.limit()).as("recovered once 2x is the new normal").isGreaterThan(100);
    }

    @Test
    void aWindowStretchedByAQuietHourMovesTheBaselineOnlyOneWindowsWorth() {
        AdaptiveLimit limit = builder().baselineRecovery(Duration.ofSeconds(10)).build();
        window(limit, SERVICE, 50, 0, 20);
        for (int i = 0; i < 19; i++) {
            limit.onSample(3 * SERVICE, 50, false);
        }
        clock.advance(Duration.ofHours(1));
        limit.onSample(3 * SERVICE, 50, false);
        // 1% of the way (100 ms of 10 s) from 10 ms to 30 ms
        assertThat(limit.baselineNanos()).isEqualTo(SERVICE + 2 * SERVICE / 100);
    }

    @Test
    void samplesFromManyThreadsAtOnce() throws Exception {
        AdaptiveLimit limit = builder().build();
        int threads = 6;
        CyclicBarrier start = new CyclicBarrier(threads);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < 200_000; i++) {
                        if (id == 0 && i % 500 == 0) {
                            clock.advance(Duration.ofMillis(100));
                        }
                        limit.onSample(4 * SERVICE, limit.limit(), false);
                        int l = limit.limit();
                        if (l < 5 || l > 500) {
                            throw new AssertionError("limit out of bounds: " + l);
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            th.start();
            all.add(th);
        }
        for (Thread th : all) {
            th.join();
        }
        assertThat(failure.get()).isNull();
        // Every sample is 4 × SERVICE, so the baseline is that, except that a window closed while other threads
        // were adding can hold the round trips of up to threads - 1 samples it does not count yet (see
        // LatencyWindow): its mean is then at most (threads - 1) / min_window_samples above, and the baseline rises
        // by window / baseline_recovery of that (100 ms / 60 s), until a whole window brings it back. Never below.
        long mostAbove = 4 * SERVICE * (threads - 1) / 10 * 100 / 60_000;
        assertThat(limit.baselineNanos()).isBetween(4 * SERVICE, 4 * SERVICE + mostAbove);
        // Flat latency on a saturated gateway: the limit grew to the top.
        assertThat(limit.limit()).isEqualTo(500);
    }

    @Test
    void invalidSettingsNameTheField() {
        assertThatThrownBy(() -> builder().minLimit(0).build()).hasMessage("min_limit must be >= 1, was 0");
        assertThatThrownBy(() -> builder().maxLimit(4).build())
                .hasMessage("max_limit must be >= min_limit (5), was 4");
        assertThatThrownBy(() -> builder().initialLimit(501).build())
                .hasMessage("initial_limit must be in [5, 500], was 501");
        assertThatThrownBy(() -> builder().window(Duration.ZERO).build())
                .hasMessage("window must be in (0, 1d], was PT0S");
        assertThatThrownBy(() -> builder().tolerance(0.9).build()).hasMessage("tolerance must be in [1, 10], was 0.9");
        assertThatThrownBy(() -> builder().smoothing(0).build()).hasMessage("smoothing must be in (0, 1], was 0.0");
        assertThatThrownBy(() -> builder().minWindowSamples(0).build())
                .hasMessage("min_window_samples must be >= 1, was 0");
        assertThatThrownBy(() -> builder().build().onSample(-1, false))
                .hasMessage("rttNanos must be >= 0, was -1");
    }
}
