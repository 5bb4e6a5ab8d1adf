package io.portcullis.resilience;

import static io.portcullis.resilience.CircuitBreaker.REJECTED;
import static io.portcullis.resilience.CircuitBreaker.State.CLOSED;
import static io.portcullis.resilience.CircuitBreaker.State.HALF_OPEN;
import static io.portcullis.resilience.CircuitBreaker.State.OPEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.portcullis.resilience.CircuitBreaker.Config;
import io.portcullis.resilience.CircuitBreaker.State;
import io.portcullis.testing.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
    private static final long FAST = Duration.ofMillis(20).toNanos();
    private static final long SLOW = Duration.ofSeconds(1).toNanos();

    /** 50% failures, 50% slow (>= 1s), 10 calls, 10s window, 30s open, 3 probes. */
    private static final Config CONFIG = new Config(50, 50, Duration.ofSeconds(1), 10, Duration.ofSeconds(10),
            Duration.ofSeconds(30), 3);

    private static final Config ONE_PROBE = new Config(50, 50, Duration.ofSeconds(1), 10, Duration.ofSeconds(10),
            Duration.ofSeconds(30), 1);

    private final ManualClock clock = new ManualClock();
    private final List<String> transitions = new CopyOnWriteArrayList<>();

    private CircuitBreaker breaker(Config config) {
        return new CircuitBreaker("users", config, clock,
                (b, from, to, reason) -> transitions.add(b.name() + " " + from + "->" + to + ": " + reason));
    }

    @Test
    void staysClosedBelowMinimumCallsEvenWhenEveryCallFails() {
        CircuitBreaker breaker = breaker(CONFIG);
        fail(breaker, 9);
        assertThat(breaker.state()).isEqualTo(CLOSED);
        assertThat(breaker.stats().calls()).isEqualTo(9);
        assertThat(breaker.stats().failureRate()).isNaN();
        assertThat(transitions).isEmpty();
    }

    @Test
    void opensAtTheFailureThresholdWithTheFiguresAsReason() {
        CircuitBreaker breaker = breaker(new Config(50, 100, Duration.ofSeconds(5), 24, Duration.ofSeconds(10),
                Duration.ofSeconds(30), 3));
        succeed(breaker, 9);
        fail(breaker, 14);
        assertThat(breaker.state()).as("23 calls, under minimum_calls").isEqualTo(CLOSED);
        fail(breaker, 1);
        assertThat(breaker.state()).isEqualTo(OPEN);
        assertThat(transitions).containsExactly("users CLOSED->OPEN: failure rate 62.5% >= 50% over 24 calls");
        assertThat(breaker.stats()).isEqualTo(new CircuitBreaker.Stats(24, 62.5, 0));
    }

    @Test
    void staysClosedJustUnderTheThreshold() {
        CircuitBreaker breaker = breaker(CONFIG);
        succeed(breaker, 11);
        fail(breaker, 10); // 10/21 = 47.6%
        assertThat(breaker.state()).isEqualTo(CLOSED);
        assertThat(breaker.stats().failureRate()).isCloseTo(47.6, within(0.1));
    }

    @Test
    void slowCallsTripTheBreakerEvenWhenTheySucceed() {
        CircuitBreaker breaker = breaker(CONFIG);
        succeed(breaker, 5);
        for (int i = 0; i < 5; i++) {
            breaker.onSuccess(acquire(breaker), SLOW); // exactly slow_call_duration counts as slow
        }
        assertThat(breaker.state()).isEqualTo(OPEN);
        assertThat(transitions).containsExactly("users CLOSED->OPEN: slow call rate 50% >= 50% over 10 calls");
    }

    @Test
    void callsJustUnderTheSlowDurationAreNotSlow() {
        CircuitBreaker breaker = breaker(CONFIG);
        for (int i = 0; i < 20; i++) {
            breaker.onSuccess(acquire(breaker), SLOW - 1);
        }
        assertThat(breaker.state()).isEqualTo(CLOSED);
        assertThat(breaker.stats().slowCallRate()).isZero();
    }

    @Test
    void openRejectsUntilOpenDurationThenHalfOpenAdmitsExactlyHalfOpenCallsProbes() {
        CircuitBreaker breaker = tripped();
        assertThat(breaker.tryAcquire()).isEqualTo(REJECTED);
        assertThat(breaker.remainingOpenNanos()).isEqualTo(Duration.ofSeconds(30).toNanos());
        clock.advanceNanos(Duration.ofSeconds(30).toNanos() - 1);
        assertThat(breaker.tryAcquire()).isEqualTo(REJECTED);
        assertThat(breaker.remainingOpenNanos()).isEqualTo(1);
        clock.advanceNanos(1);
        assertThat(breaker.remainingOpenNanos()).isZero();
        long first = breaker.tryAcquire();
        assertThat(breaker.state()).isEqualTo(HALF_OPEN);
        assertThat(breaker.remainingOpenNanos()).isZero();
        assertThat(new long[] {first, breaker.tryAcquire(), breaker.tryAcquire()}).doesNotContain(REJECTED);
        assertThat(breaker.tryAcquire()).as("a fourth concurrent probe").isEqualTo(REJECTED);
        assertThat(transitions).containsExactly(
                "users CLOSED->OPEN: failure rate 100% >= 50% over 10 calls",
                "users OPEN->HALF_OPEN: open for 30s");
    }

    @Test
    void allProbesSucceedingClosesWithAFreshWindow() {
        CircuitBreaker breaker = halfOpen();
        long[] probes = {breaker.tryAcquire(), breaker.tryAcquire(), breaker.tryAcquire()};
        breaker.onSuccess(probes[0], FAST);
        breaker.onSuccess(probes[1], FAST);
        assertThat(breaker.state()).isEqualTo(HALF_OPEN);
        assertThat(breaker.tryAcquire()).as("a finished probe keeps its slot").isEqualTo(REJECTED);
        breaker.onSuccess(probes[2], FAST);
        assertThat(breaker.state()).isEqualTo(CLOSED);
        assertThat(transitions).last().isEqualTo("users HALF_OPEN->CLOSED: 3 probes succeeded");
        assertThat(breaker.stats().calls()).isZero();
        // The window that tripped (10 failures, 1s ago) would open the breaker on the next failure; a fresh one
        // needs ten calls again.
        fail(breaker, 9);
        assertThat(breaker.state()).isEqualTo(CLOSED);
        fail(breaker, 1);
        assertThat(breaker.state()).isEqualTo(OPEN);
    }

    @Test
    void aFailedProbeReopensForAnotherOpenDuration() {
        CircuitBreaker breaker = halfOpen();
        long probe = breaker.tryAcquire();
        long other = breaker.tryAcquire();
        breaker.onFailure(probe, FAST);
        assertThat(breaker.state()).isEqualTo(OPEN);
        assertThat(transitions).last().isEqualTo("users HALF_OPEN->OPEN: probe failed");
        breaker.onSuccess(other, FAST); // a probe of the half-open period that just ended: ignored
        assertThat(breaker.state()).isEqualTo(OPEN);
        assertThat(breaker.remainingOpenNanos()).isEqualTo(Duration.ofSeconds(30).toNanos());
        clock.advance(Duration.ofSeconds(29));
        assertThat(breaker.tryAcquire()).isEqualTo(REJECTED);
        clock.advance(Duration.ofSeconds(1));
        assertThat(breaker.tryAcquire()).isNotEqualTo(REJECTED);
        assertThat(breaker.state()).isEqualTo(HALF_OPEN);
    }

    @Test
    void aSlowProbeReopens() {
        CircuitBreaker breaker = halfOpen();
        breaker.onSuccess(breaker.tryAcquire(), Duration.ofMillis(1500).toNanos());
        assertThat(breaker.state()).isEqualTo(OPEN);
        assertThat(transitions).last().isEqualTo("users HALF_OPEN->OPEN: probe slow (1.5s >= 1s)");
    }

    @Test
    void oldCallsSlideOutOfTheWindow() {
        CircuitBreaker breaker = breaker(CONFIG);
        fail(breaker, 9);
        clock.advance(Duration.ofSeconds(5));
        assertThat(breaker.stats().calls()).as("still inside the window").isEqualTo(9);
        clock.advance(Duration.ofSeconds(5));
        assertThat(breaker.stats().calls()).as("a whole window later").isZero();
        fail(breaker, 9);
        assertThat(breaker.state()).isEqualTo(CLOSED);
        clock.advance(Duration.ofSeconds(5));
        fail(breaker, 1);
        assertThat(breaker.state()).as("10 failures within 10s").isEqualTo(OPEN);
    }

    @Test
    void aBucketReusedOnALaterLapStartsFromZero() {
        CircuitBreaker breaker = breaker(CONFIG);
        succeed(breaker, 9);
        clock.advance(Duration.ofSeconds(10)); // same bucket slot, next lap
        fail(breaker, 5);
        assertThat(breaker.stats().calls()).isEqualTo(5);
        succeed(breaker, 5);
        assertThat(breaker.stats()).isEqualTo(new CircuitBreaker.Stats(10, 50, 0));
    }

    @Test
    void releaseFreesAProbeSlotWithoutCountingAsSuccess() {
        CircuitBreaker breaker = halfOpen();
        long[] probes = {breaker.tryAcquire(), breaker.tryAcquire(), breaker.tryAcquire()};
        assertThat(breaker.tryAcquire()).isEqualTo(REJECTED);
        breaker.release(probes[0]);
        long replacement = breaker.tryAcquire();
        assertThat(replacement).isNotEqualTo(REJECTED);
        breaker.onSuccess(probes[1], FAST);
        breaker.onSuccess(probes[2], FAST);
        assertThat(breaker.state()).as("only two probes have succeeded").isEqualTo(HALF_OPEN);
        breaker.onSuccess(replacement, FAST);
        assertThat(breaker.state()).isEqualTo(CLOSED);
    }

    @Test
    void lateResultsOfCallsAdmittedWhileClosedDoNotTouchTheHalfOpenState() {
        CircuitBreaker breaker = breaker(ONE_PROBE);
        long early = acquire(breaker);
        long early2 = acquire(breaker);
        long early3 = acquire(breaker);
        fail(breaker, 10);
        clock.advance(Duration.ofSeconds(30));
        long probe = breaker.tryAcquire();
        assertThat(breaker.state()).isEqualTo(HALF_OPEN);

        breaker.onSuccess(early, FAST);
        assertThat(breaker.state()).as("a closed-period success is no probe").isEqualTo(HALF_OPEN);
        breaker.release(early2);
        assertThat(breaker.tryAcquire()).as("a closed-period release frees no probe slot").isEqualTo(REJECTED);
        breaker.onFailure(early3, FAST);
        assertThat(breaker.state()).as("a closed-period failure is no probe").isEqualTo(HALF_OPEN);

        breaker.onSuccess(probe, FAST);
        assertThat(breaker.state()).isEqualTo(CLOSED);
        assertThat(transitions).last().isEqualTo("users HALF_OPEN->CLOSED: 1 probe succeeded");
    }

    @Test
    void resultsFromAnEarlierClosedPeriodDoNotCountInTheNextOne() {
        CircuitBreaker breaker = breaker(ONE_PROBE);
        long[] early = new long[10];
        for (int i = 0; i < early.length; i++) {
            early[i] = acquire(breaker);
        }
        fail(breaker, 10);
        clock.advance(Duration.ofSeconds(30));
        breaker.onSuccess(breaker.tryAcquire(), FAST);
        assertThat(breaker.state()).isEqualTo(CLOSED);
        for (long permit : early) {
            breaker.onFailure(permit, FAST);
        }
        assertThat(breaker.state()).isEqualTo(CLOSED);
        assertThat(breaker.stats().calls()).isZero();
    }

    @Test
    void listenerSeesEachTransitionOnceInOrder() {
        CircuitBreaker breaker = breaker(CONFIG);
        fail(breaker, 10);
        breaker.onFailure(0, FAST); // more verdicts for the closed period that already tripped
        assertThat(breaker.tryAcquire()).isEqualTo(REJECTED);
        clock.advance(Duration.ofSeconds(30));
        long probe = breaker.tryAcquire();
        long probe2 = breaker.tryAcquire();
        breaker.onFailure(probe, FAST);
        breaker.onFailure(probe2, FAST);
        clock.advance(Duration.ofSeconds(30));
        for (int i = 0; i < 3; i++) {
            breaker.onSuccess(breaker.tryAcquire(), FAST);
        }
        breaker.onSuccess(breaker.tryAcquire(), FAST);
        assertThat(transitions).containsExactly(
                "users CLOSED->OPEN: failure rate 100% >= 50% over 10 calls",
                "users OPEN->HALF_OPEN: open for 30s",
                "users HALF_OPEN->OPEN: probe failed",
                "users OPEN->HALF_OPEN: open for 30s",
                "users HALF_OPEN->CLOSED: 3 probes succeeded");
    }

    @Test
    void aThrowingListenerFailsTheCallerButLaterTransitionsAreStillDelivered() {
        List<State> seen = new CopyOnWriteArrayList<>();
        CircuitBreaker breaker = new CircuitBreaker("users", CONFIG, clock, (b, from, to, reason) -> {
            seen.add(to);
            if (to == OPEN) {
                throw new IllegalStateException("listener bug");
            }
        });
        fail(breaker, 9);
        long permit = acquire(breaker);
        assertThatThrownBy(() -> breaker.onFailure(permit, FAST)).hasMessage("listener bug");
        assertThat(breaker.state()).isEqualTo(OPEN);
        clock.advance(Duration.ofSeconds(30));
        breaker.onSuccess(breaker.tryAcquire(), FAST);
        assertThat(seen).containsExactly(OPEN, HALF_OPEN);
    }

    @Test
    void statsAreNanBelowMinimumCallsAndFiguresAbove() {
        CircuitBreaker breaker = breaker(CONFIG);
        assertThat(breaker.stats().calls()).isZero();
        assertThat(breaker.stats().slowCallRate()).isNaN();
        succeed(breaker, 6);
        breaker.onSuccess(acquire(breaker), SLOW);
        fail(breaker, 1);
        breaker.onFailure(acquire(breaker), SLOW);
        breaker.onSuccess(acquire(breaker), FAST);
        assertThat(breaker.stats()).isEqualTo(new CircuitBreaker.Stats(10, 20, 20));
    }

    @Test
    void worksWithANegativeClock() {
        ManualClock negative = new ManualClock(-Duration.ofHours(1).toNanos());
        CircuitBreaker breaker = new CircuitBreaker("users", CONFIG, negative, CircuitBreaker.Listener.NONE);
        fail(breaker, 10);
        assertThat(breaker.state()).isEqualTo(OPEN);
        negative.advance(Duration.ofSeconds(30));
        assertThat(breaker.tryAcquire()).isNotEqualTo(REJECTED);
    }

    @Test
    void defaultConfig() {
        assertThat(Config.DEFAULT).isEqualTo(new Config(50, 100, Duration.ofSeconds(5), 20, Duration.ofSeconds(10),
                Duration.ofSeconds(30), 3));
    }

    @Test
    void invalidConfigNamesTheField() {
        Duration s = Duration.ofSeconds(1);
        assertThatThrownBy(() -> new Config(0, 50, s, 1, s, s, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("failure_rate_threshold must be in (0, 100], was 0.0");
        assertThatThrownBy(() -> new Config(Double.NaN, 50, s, 1, s, s, 1))
                .hasMessage("failure_rate_threshold must be in (0, 100], was NaN");
        assertThatThrownBy(() -> new Config(50, 100.5, s, 1, s, s, 1))
                .hasMessage("slow_call_rate_threshold must be in (0, 100], was 100.5");
        assertThatThrownBy(() -> new Config(50, 50, Duration.ZERO, 1, s, s, 1))
                .hasMessageStartingWith("slow_call_duration must be in (0, ").hasMessageEndingWith("was PT0S");
        assertThatThrownBy(() -> new Config(50, 50, s, 0, s, s, 1)).hasMessage("minimum_calls must be >= 1, was 0");
        assertThatThrownBy(() -> new Config(50, 50, s, 1, Duration.ofMillis(-1), s, 1))
                .hasMessageStartingWith("window must be in (0, ").hasMessageEndingWith("was PT-0.001S");
        assertThatThrownBy(() -> new Config(50, 50, s, 1, s, Duration.ofDays(365 * 300L), 1))
                .hasMessageStartingWith("open_duration must be in (0, ");
        assertThatThrownBy(() -> new Config(50, 50, s, 1, s, null, 1)).isInstanceOf(NullPointerException.class)
                .hasMessage("open_duration must not be null");
        assertThatThrownBy(() -> new Config(50, 50, s, 1, s, s, 0)).hasMessage("half_open_calls must be >= 1, was 0");
    }

    private CircuitBreaker tripped() {
        CircuitBreaker breaker = breaker(CONFIG);
        fail(breaker, 10);
        assertThat(breaker.state()).isEqualTo(OPEN);
        return breaker;
    }

    private CircuitBreaker halfOpen() {
        CircuitBreaker breaker = tripped();
        clock.advance(Duration.ofSeconds(30));
        // Take the first probe and give it back, leaving all three slots free for the test.
        breaker.release(breaker.tryAcquire());
        assertThat(breaker.state()).isEqualTo(HALF_OPEN);
        return breaker;
    }

    private static long acquire(CircuitBreaker breaker) {
        long permit = breaker.tryAcquire();
        assertThat(permit).as("admitted").isNotNegative();
        return permit;
    }

    private static void fail(CircuitBreaker breaker, int calls) {
        for (int i = 0; i < calls; i++) {
            breaker.onFailure(acquire(breaker), FAST);
        }
    }

    private static void succeed(CircuitBreaker breaker, int calls) {
        for (int i = 0; i < calls; i++) {
            breaker.onSuccess(acquire(breaker), FAST);
        }
    }
}
