package io.portcullis.resilience;

import static io.portcullis.resilience.OutlierDetector.Result.GATEWAY_FAILURE;
import static io.portcullis.resilience.OutlierDetector.Result.HTTP_5XX;
import static io.portcullis.resilience.OutlierDetector.Result.SUCCESS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.resilience.OutlierDetector.Config;
import io.portcullis.resilience.OutlierDetector.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class OutlierDetectorTest {
    record Event(int index, boolean ejected, String reason) {}

    private static final long SECOND = 1_000_000_000L;

    private long now = 42 * SECOND;
    private final List<Event> events = new CopyOnWriteArrayList<>();

    private OutlierDetector detector(Config config) {
        return new OutlierDetector(config, () -> now, (i, ejected, reason) -> events.add(new Event(i, ejected, reason)));
    }

    private static List<OutlierState> endpoints(int n) {
        return IntStream.range(0, n).mapToObj(i -> new OutlierState()).toList();
    }

    private static Config config(int consecutive5xx, int consecutiveGatewayFailures, int maxEjectionPercent) {
        Config d = Config.DEFAULT;
        return new Config(consecutive5xx, consecutiveGatewayFailures, d.interval(), d.baseEjectionTime(),
                d.maxEjectionTime(), maxEjectionPercent, d.successRateStdevFactor(), d.successRateMinimumHosts(),
                d.successRateRequestVolume());
    }

    /** Feeds {@code times} results; returns how many of those calls reported an ejection. */
    private static int feed(OutlierDetector detector, List<OutlierState> all, int index, Result result, int times) {
        int ejections = 0;
        for (int i = 0; i < times; i++) {
            if (detector.onResult(all, index, result)) {
                ejections++;
            }
        }
        return ejections;
    }

    @Test
    void defaultsAreEnvoys() {
        assertThat(Config.DEFAULT).isEqualTo(new Config(5, 5, Duration.ofSeconds(10), Duration.ofSeconds(30),
                Duration.ofSeconds(300), 10, 1.9, 5, 100));
    }

    @Test
    void ejectsOnExactlyTheNthConsecutive5xx() {
        OutlierDetector detector = detector(Config.DEFAULT);
        List<OutlierState> all = endpoints(10);

        assertThat(feed(detector, all, 3, HTTP_5XX, 4)).isZero();
        assertThat(all.get(3).ejected()).isFalse();
        assertThat(detector.onResult(all, 3, HTTP_5XX)).isTrue();

        assertThat(all.get(3).ejected()).isTrue();
        assertThat(all.get(3).ejections()).isEqualTo(1);
        assertThat(events).containsExactly(new Event(3, true, OutlierDetector.CONSECUTIVE_5XX));
    }

    @Test
    void aSuccessInBetweenStartsTheStreakAgain() {
        OutlierDetector detector = detector(Config.DEFAULT);
        List<OutlierState> all = endpoints(10);

        feed(detector, all, 0, HTTP_5XX, 4);
        detector.onResult(all, 0, SUCCESS);
        assertThat(feed(detector, all, 0, HTTP_5XX, 4)).isZero();
        assertThat(all.get(0).ejected()).isFalse();

        assertThat(detector.onResult(all, 0, HTTP_5XX)).isTrue();
    }

    @Test
    void gatewayFailuresHaveTheirOwnThreshold() {
        OutlierDetector detector = detector(config(100, 3, 10));
        List<OutlierState> all = endpoints(10);

        assertThat(feed(detector, all, 1, GATEWAY_FAILURE, 2)).isZero();
        assertThat(detector.onResult(all, 1, GATEWAY_FAILURE)).isTrue();
        assertThat(events).containsExactly(new Event(1, true, OutlierDetector.CONSECUTIVE_GATEWAY_FAILURE));
    }

    @Test
    void aBackend5xxBreaksAGatewayFailureStreak() {
        OutlierDetector detector = detector(config(100, 3, 10));
        List<OutlierState> all = endpoints(10);

        feed(detector, all, 1, GATEWAY_FAILURE, 2);
        detector.onResult(all, 1, HTTP_5XX);
        assertThat(feed(detector, all, 1, GATEWAY_FAILURE, 2)).isZero();
        assertThat(feed(detector, all, 1, HTTP_5XX, 10)).as("5xx never reach the gateway threshold").isZero();
        assertThat(all.get(1).ejected()).isFalse();
    }

    @Test
    void gatewayFailuresAlsoCountTowardThe5xxStreak() {
        OutlierDetector detector = detector(config(3, 100, 10));
        List<OutlierState> all = endpoints(10);

        feed(detector, all, 2, GATEWAY_FAILURE, 2);
        assertThat(detector.onResult(all, 2, HTTP_5XX)).isTrue();
        assertThat(events).containsExactly(new Event(2, true, OutlierDetector.CONSECUTIVE_5XX));
    }

    @Test
    void oneFailureEndingBothStreaksEjectsOnce() {
        OutlierDetector detector = detector(Config.DEFAULT);
        List<OutlierState> all = endpoints(10);

        assertThat(feed(detector, all, 0, GATEWAY_FAILURE, 5)).isEqualTo(1);
        assertThat(events).containsExactly(new Event(0, true, OutlierDetector.CONSECUTIVE_GATEWAY_FAILURE));
        assertThat(all.get(0).ejections()).isEqualTo(1);
    }

    @Test
    void resultsWhileEjectedAreIgnoredAndTheSlateIsCleanAfter() {
        OutlierDetector detector = detector(Config.DEFAULT);
        List<OutlierState> all = endpoints(10);
        feed(detector, all, 0, HTTP_5XX, 5);

        assertThat(feed(detector, all, 0, HTTP_5XX, 20)).isZero();
        now += 30 * SECOND;
        detector.sweep(all);

        assertThat(all.get(0).ejected()).isFalse();
        assertThat(feed(detector, all, 0, HTTP_5XX, 4)).as("a fresh streak is needed").isZero();
        assertThat(all.get(0).ejected()).isFalse();
    }

    @Test
    void neverMoreThanMaxEjectionPercentAreOut() {
        OutlierDetector detector = detector(Config.DEFAULT);
        List<OutlierState> all = endpoints(10);
        feed(detector, all, 0, HTTP_5XX, 5);

        assertThat(feed(detector, all, 1, HTTP_5XX, 5)).as("10% of 10 is one").isZero();
        assertThat(all.get(1).ejected()).isFalse();

        now += 30 * SECOND;
        detector.sweep(all);
        assertThat(all.get(0).ejected()).isFalse();
        assertThat(feed(detector, all, 1, HTTP_5XX, 4)).as("the refused streak counts again from one").isZero();
        assertThat(detector.onResult(all, 1, HTTP_5XX)).isTrue();
        assertThat(events).containsExactly(
                new Event(0, true, OutlierDetector.CONSECUTIVE_5XX),
                new Event(0, false, OutlierDetector.EJECTION_TIME_ELAPSED),
                new Event(1, true, OutlierDetector.CONSECUTIVE_5XX));
    }

    @Test
    void twentyEndpointsAtTenPercentLoseTwo() {
        OutlierDetector detector = detector(Config.DEFAULT);
        List<OutlierState> all = endpoints(20);
        for (int i = 0; i < 5; i++) {
            feed(detector, all, i, HTTP_5XX, 5);
        }

        assertThat(all).filteredOn(OutlierState::ejected).hasSize(2);
        assertThat(all.get(0).ejected()).isTrue();
        assertThat(all.get(1).ejected()).isTrue();
    }

    @Test
    void aNonZeroPercentAlwaysAllowsOneEjection() {
        assertThat(OutlierDetector.maxEjected(1, 10)).isEqualTo(1);
        assertThat(OutlierDetector.maxEjected(5, 10)).isEqualTo(1);
        assertThat(OutlierDetector.maxEjected(9, 10)).isEqualTo(1);
        assertThat(OutlierDetector.maxEjected(10, 10)).isEqualTo(1);
        assertThat(OutlierDetector.maxEjected(19, 10)).isEqualTo(1);
        assertThat(OutlierDetector.maxEjected(20, 10)).isEqualTo(2);
        assertThat(OutlierDetector.maxEjected(3, 100)).isEqualTo(3);
        assertThat(OutlierDetector.maxEjected(3, 1)).isEqualTo(1);
        assertThat(OutlierDetector.maxEjected(100, 0)).isZero();

        OutlierDetector detector = detector(Config.DEFAULT);
        List<OutlierState> single = endpoints(1);
        assertThat(feed(detector, single, 0, HTTP_5XX, 5)).as("the only endpoint; panic mode is the cluster's").isOne();
        List<OutlierState> five = endpoints(5);
        assertThat(feed(detector, five, 4, HTTP_5XX, 5)).as("10% of 5 rounds down, the floor is one").isOne();
        assertThat(feed(detector, five, 3, HTTP_5XX, 5)).isZero();
    }

    @Test
    void zeroPercentOnlyCounts() {
        OutlierDetector detector = detector(config(5, 5, 0));
        List<OutlierState> all = endpoints(3);

        assertThat(feed(detector, all, 0, HTTP_5XX, 50)).isZero();
        assertThat(feed(detector, all, 1, GATEWAY_FAILURE, 50)).isZero();
        assertThat(all).noneMatch(OutlierState::ejected);
        assertThat(events).isEmpty();
    }

    @Test
    void ejectionTimeGrowsByTheBaseAndStopsAtTheMax() {
        Config d = Config.DEFAULT;
        OutlierDetector detector = detector(new Config(5, 5, d.interval(), Duration.ofSeconds(30),
                Duration.ofSeconds(100), 10, 1.9, 5, 100));
        List<OutlierState> all = endpoints(10);
        List<Long> served = new ArrayList<>();

        for (int round = 0; round < 6; round++) {
            feed(detector, all, 0, HTTP_5XX, 5);
            long ejectedAt = now;
            long length = all.get(0).ejectionNanos();
            served.add(length / SECOND);

            now = ejectedAt + length - 1;
            assertThat(detector.sweep(all)).isFalse();
            assertThat(all.get(0).ejected()).isTrue();
            now = ejectedAt + length;
            assertThat(detector.sweep(all)).isTrue();
            assertThat(all.get(0).ejected()).isFalse();
        }

        assertThat(served).containsExactly(30L, 60L, 90L, 100L, 100L, 100L);
        assertThat(all.get(0).ejections()).isEqualTo(6);
    }

    @Test
    void defaultEjectionTimesReachFiveMinutes() {
        OutlierDetector detector = detector(Config.DEFAULT);
        List<OutlierState> all = endpoints(10);
        List<Long> served = new ArrayList<>();
        for (int round = 0; round < 12; round++) {
            feed(detector, all, 0, GATEWAY_FAILURE, 5);
            served.add(all.get(0).ejectionNanos() / SECOND);
            now += all.get(0).ejectionNanos();
            detector.sweep(all);
        }
        assertThat(served).containsExactly(30L, 60L, 90L, 120L, 150L, 180L, 210L, 240L, 270L, 300L, 300L, 300L);
    }

    @Test
    void eachIntervalInServiceShortensTheNextEjection() {
        OutlierDetector detector = detector(Config.DEFAULT);
        List<OutlierState> all = endpoints(10);
        for (int round = 0; round < 2; round++) {
            feed(detector, all, 0, HTTP_5XX, 5);
            now += all.get(0).ejectionNanos();
            detector.sweep(all);
        }
        now += 10 * SECOND;
        detector.sweep(all); // one interval in service: the multiplier goes from 2 to 1

        feed(detector, all, 0, HTTP_5XX, 5);
        assertThat(all.get(0).ejectionNanos()).as("60s, not 90s").isEqualTo(60 * SECOND);
        assertThat(all.get(0).ejections()).isEqualTo(3);
    }

    @Test
    void sweepReturnsAnEndpointOnlyOnceItsTimeIsOver() {
        OutlierDetector detector = detector(Config.DEFAULT);
        List<OutlierState> all = endpoints(10);
        feed(detector, all, 7, HTTP_5XX, 5);

        now += 10 * SECOND;
        assertThat(detector.sweep(all)).isFalse();
        now += 20 * SECOND - 1;
        assertThat(detector.sweep(all)).isFalse();
        assertThat(all.get(7).ejected()).isTrue();
        now += 1;
        assertThat(detector.sweep(all)).isTrue();
        assertThat(all.get(7).ejected()).isFalse();
        assertThat(detector.sweep(all)).isFalse();

        assertThat(events).containsExactly(
                new Event(7, true, OutlierDetector.CONSECUTIVE_5XX),
                new Event(7, false, OutlierDetector.EJECTION_TIME_ELAPSED));
    }

    /** Alternates so that no consecutive streak forms: {@code successes} of {@code requests} succeed. */
    private static void traffic(OutlierDetector detector, List<OutlierState> all, int index, int requests,
            int successes) {
        for (int i = 0; i < requests; i++) {
            boolean success = (long) (i + 1) * successes / requests > (long) i * successes / requests;
            detector.onResult(all, index, success ? SUCCESS : HTTP_5XX);
        }
    }

    @Test
    void successRateEjectsAClearOutlierAmongSix() {
        OutlierDetector detector = detector(Config.DEFAULT);
        List<OutlierState> all = endpoints(6);
        for (int i = 0; i < 5; i++) {
            traffic(detector, all, i, 100, 99);
        }
        traffic(detector, all, 5, 100, 50);
        assertThat(all).noneMatch(OutlierState::ejected);

        assertThat(detector.sweep(all)).isTrue();

        assertThat(all.get(5).ejected()).isTrue();
        assertThat(all.subList(0, 5)).noneMatch(OutlierState::ejected);
        assertThat(events).containsExactly(new Event(5, true, OutlierDetector.SUCCESS_RATE));
    }

    @Test
    void equalRatesEjectNothing() {
        OutlierDetector detector = detector(Config.DEFAULT);
        List<OutlierState> all = endpoints(6);
        for (int i = 0; i < 6; i++) {
            traffic(detector, all, i, 300, 90);
        }
        assertThat(detector.sweep(all)).isFalse();
        assertThat(events).isEmpty();
    }

    @Test
    void successRateNeedsTheMinimumNumberOfHosts() {
        OutlierDetector detector = detector(Config.DEFAULT);
        List<OutlierState> all = endpoints(6);
        for (int i = 0; i < 3; i++) {
            traffic(detector, all, i, 100, 100);
        }
        traffic(detector, all, 3, 99, 99); // below the volume: does not take part
        traffic(detector, all, 4, 100, 40);

        assertThat(detector.sweep(all)).as("4 hosts qualify, 5 needed").isFalse();
        assertThat(all).noneMatch(OutlierState::ejected);
    }

    @Test
    void successRateIgnoresHostsBelowTheRequestVolume() {
        OutlierDetector detector = detector(Config.DEFAULT);
        List<OutlierState> all = endpoints(6);
        for (int i = 0; i < 5; i++) {
            traffic(detector, all, i, 100, 100);
        }
        traffic(detector, all, 5, 99, 30);

        assertThat(detector.sweep(all)).isFalse();
        assertThat(all.get(5).ejected()).isFalse();
    }

    @Test
    void eachSweepStartsANewInterval() {
        OutlierDetector detector = detector(Config.DEFAULT);
        List<OutlierState> all = endpoints(6);
        for (int i = 0; i < 6; i++) {
            traffic(detector, all, i, 60, 60);
        }
        detector.sweep(all);
        for (int i = 0; i < 5; i++) {
            traffic(detector, all, i, 60, 60);
        }
        traffic(detector, all, 5, 60, 20);

        assertThat(detector.sweep(all)).as("60 requests per interval, never 120").isFalse();
        assertThat(all).noneMatch(OutlierState::ejected);
    }

    @Test
    void successRateEjectsTheWorstFirstWhenTheCapStopsIt() {
        Config d = Config.DEFAULT;
        OutlierDetector detector = detector(new Config(5, 5, d.interval(), d.baseEjectionTime(),
                d.maxEjectionTime(), 10, 1.0, 5, 100));
        List<OutlierState> all = endpoints(10);
        traffic(detector, all, 0, 100, 60);
        traffic(detector, all, 1, 100, 40);
        for (int i = 2; i < 10; i++) {
            traffic(detector, all, i, 100, 100);
        }

        assertThat(detector.sweep(all)).isTrue();

        assertThat(all.get(1).ejected()).isTrue();
        assertThat(all.get(0).ejected()).as("also an outlier, but the cap is one").isFalse();
        assertThat(events).containsExactly(new Event(1, true, OutlierDetector.SUCCESS_RATE));
    }

    @Test
    void theListenerHearsEachChangeOnce() {
        OutlierDetector detector = detector(Config.DEFAULT);
        List<OutlierState> all = endpoints(10);

        feed(detector, all, 4, HTTP_5XX, 5);
        feed(detector, all, 4, GATEWAY_FAILURE, 10);
        detector.sweep(all);
        now += 30 * SECOND;
        detector.sweep(all);
        detector.sweep(all);
        feed(detector, all, 4, SUCCESS, 3);

        assertThat(events).containsExactly(
                new Event(4, true, OutlierDetector.CONSECUTIVE_5XX),
                new Event(4, false, OutlierDetector.EJECTION_TIME_ELAPSED));
    }

    @Test
    void fourThreadsFailingOneEndpointEjectItOnce() throws InterruptedException {
        for (int round = 0; round < 200; round++) {
            events.clear();
            OutlierDetector detector = detector(Config.DEFAULT);
            List<OutlierState> all = endpoints(10);
            int[] reported = race(4, t -> feed(detector, all, 0, t % 2 == 0 ? HTTP_5XX : GATEWAY_FAILURE, 50));

            assertThat(IntStream.of(reported).sum()).as("round %d", round).isOne();
            assertThat(events).hasSize(1);
            assertThat(all.get(0).ejections()).isOne();
        }
    }

    @Test
    void racingStreaksOnDifferentEndpointsNeverExceedTheCap() throws InterruptedException {
        for (int round = 0; round < 200; round++) {
            events.clear();
            OutlierDetector detector = detector(Config.DEFAULT);
            List<OutlierState> all = endpoints(10);
            int[] reported = race(4, t -> feed(detector, all, t, HTTP_5XX, 50));

            assertThat(all).filteredOn(OutlierState::ejected).hasSizeLessThanOrEqualTo(1);
            assertThat(IntStream.of(reported).sum()).isEqualTo(events.size()).isLessThanOrEqualTo(1);
        }
    }

    /**
     * The interleaving the thread races rarely hit, made deterministic: endpoint 1's streak ends, and its ejection
     * is decided, while endpoint 0's decision is halfway through counting (past index 1). Counting only the
     * endpoints already out, both would see none and both would go.
     */
    @Test
    void anEjectionDecidedWhileAnotherIsCountingIsSeenByIt() {
        OutlierDetector detector = detector(Config.DEFAULT);
        List<OutlierState> states = endpoints(10);
        boolean[] armed = {false};
        List<OutlierState> all = new java.util.AbstractList<>() {
            @Override
            public OutlierState get(int index) {
                if (index == 5 && armed[0]) {
                    armed[0] = false;
                    detector.onResult(this, 1, HTTP_5XX); // "another event loop", in the middle of the count
                }
                return states.get(index);
            }

            @Override
            public int size() {
                return states.size();
            }
        };
        feed(detector, all, 0, HTTP_5XX, 4);
        feed(detector, all, 1, HTTP_5XX, 4);
        armed[0] = true;

        detector.onResult(all, 0, HTTP_5XX);

        assertThat(armed[0]).as("the hook ran").isFalse();
        assertThat(all).filteredOn(OutlierState::ejected).hasSize(1);
        assertThat(events).hasSize(1);
    }

    /** Runs {@code work} on {@code threads} threads released together; returns what each returned. */
    private static int[] race(int threads, java.util.function.IntUnaryOperator work) throws InterruptedException {
        int[] results = new int[threads];
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
        List<Thread> running = new ArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                    results[id] = work.applyAsInt(id);
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            thread.start();
            running.add(thread);
        }
        for (Thread thread : running) {
            thread.join();
        }
        assertThat(failures).isEmpty();
        return results;
    }

    @Test
    void configNamesTheFieldItRefuses() {
        Config d = Config.DEFAULT;
        assertThatThrownBy(() -> config(0, 5, 10)).hasMessage("consecutive5xx must be >= 1, was 0");
        assertThatThrownBy(() -> config(5, -1, 10)).hasMessage("consecutiveGatewayFailures must be >= 1, was -1");
        assertThatThrownBy(() -> config(5, 5, 101)).hasMessage("maxEjectionPercent must be in [0, 100], was 101");
        assertThatThrownBy(() -> new Config(5, 5, Duration.ZERO, d.baseEjectionTime(), d.maxEjectionTime(), 10, 1.9,
                5, 100)).hasMessage("interval must be > 0, was PT0S");
        assertThatThrownBy(() -> new Config(5, 5, null, d.baseEjectionTime(), d.maxEjectionTime(), 10, 1.9, 5, 100))
                .isInstanceOf(NullPointerException.class).hasMessage("interval");
        assertThatThrownBy(() -> new Config(5, 5, d.interval(), Duration.ofSeconds(60), Duration.ofSeconds(30), 10,
                1.9, 5, 100)).hasMessage("maxEjectionTime must be >= baseEjectionTime (PT1M), was PT30S");
        assertThatThrownBy(() -> new Config(5, 5, d.interval(), Duration.ofDays(400), Duration.ofDays(400), 10, 1.9,
                5, 100)).hasMessageStartingWith("baseEjectionTime must be <= ");
        assertThatThrownBy(() -> new Config(5, 5, d.interval(), d.baseEjectionTime(), d.maxEjectionTime(), 10,
                Double.NaN, 5, 100)).hasMessage("successRateStdevFactor must be finite and > 0, was NaN");
        assertThatThrownBy(() -> new Config(5, 5, d.interval(), d.baseEjectionTime(), d.maxEjectionTime(), 10, 1.9,
                0, 100)).hasMessage("successRateMinimumHosts must be >= 1, was 0");
        assertThatThrownBy(() -> new Config(5, 5, d.interval(), d.baseEjectionTime(), d.maxEjectionTime(), 10, 1.9,
                5, 0)).hasMessage("successRateRequestVolume must be >= 1, was 0");
    }
}
