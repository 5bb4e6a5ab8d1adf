package io.portcullis.resilience;

import static io.portcullis.resilience.CircuitBreaker.REJECTED;
import static io.portcullis.resilience.CircuitBreaker.State.CLOSED;
import static io.portcullis.resilience.CircuitBreaker.State.HALF_OPEN;
import static io.portcullis.resilience.CircuitBreaker.State.OPEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.resilience.CircuitBreaker.Config;
import io.portcullis.resilience.CircuitBreaker.State;
import io.portcullis.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Four threads play event loops calling one breaker through alternating outages (90% failures) and recoveries (5%),
 * while the first of them also advances the clock: the breaker must cycle through all its states, report every
 * transition once in a legal order without overlapping listener calls, and end consistent and able to recover.
 *
 * <p>The threads meet at a barrier between phases, and the phase is counted by calls, not read from the clock. When
 * phases were read from the clock one thread drives, four busy threads on two cores could leave a thread holding a
 * half-open probe descheduled while the clock thread ran through a whole recovery phase alone (a phase is about a
 * millisecond of real time), and one CI run counted 7 closings of 10 recoveries.
 */
class CircuitBreakerConcurrencyTest {
    private static final int THREADS = 4;
    private static final int CALLS = 100_000;
    /** Calls per phase and thread: 50ms of clock time at the clock thread's pace, 20 phases in all. */
    private static final int PHASE_CALLS = 5_000;
    /** 10µs of clock time per call of the clock thread. */
    private static final long TICK = 10_000;

    private final ManualClock clock = new ManualClock();

    @Test
    void manyThreadsThroughOutagesEndConsistent() throws Exception {
        Config config = new Config(50, 100, Duration.ofMillis(1), 20, Duration.ofMillis(20), Duration.ofMillis(5), 3);
        Queue<State[]> transitions = new ConcurrentLinkedQueue<>();
        AtomicInteger inListener = new AtomicInteger();
        AtomicInteger overlapping = new AtomicInteger();
        CircuitBreaker breaker = new CircuitBreaker("c", config, clock, (b, from, to, reason) -> {
            if (inListener.incrementAndGet() != 1) {
                overlapping.incrementAndGet();
            }
            transitions.add(new State[] {from, to});
            inListener.decrementAndGet();
        });
        AtomicLong admitted = new AtomicLong();
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        CyclicBarrier go = new CyclicBarrier(THREADS);
        List<Thread> loops = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            boolean ticks = t == 0;
            SplittableRandom random = new SplittableRandom(t);
            loops.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                    for (int i = 0; i < CALLS; i++) {
                        if (i > 0 && i % PHASE_CALLS == 0) {
                            go.await(); // every permit of the phase is answered; the next phase starts together
                        }
                        if (ticks) {
                            clock.advanceNanos(TICK);
                        }
                        long permit = breaker.tryAcquire();
                        if (permit == REJECTED) {
                            continue;
                        }
                        admitted.incrementAndGet();
                        boolean outage = i / PHASE_CALLS % 2 == 1;
                        double p = random.nextDouble();
                        long took = random.nextInt(100) == 0 ? Duration.ofMillis(2).toNanos() : 1_000;
                        if (p < 0.03) {
                            breaker.release(permit);
                        } else if (p < (outage ? 0.90 : 0.05)) {
                            breaker.onFailure(permit, took);
                        } else {
                            breaker.onSuccess(permit, took);
                        }
                        State s = breaker.state();
                        assertThat(s).isNotNull();
                        CircuitBreaker.Stats stats = breaker.stats();
                        assertThat(stats.calls()).isNotNegative();
                        if (!Double.isNaN(stats.failureRate())) {
                            assertThat(stats.failureRate()).isBetween(0.0, 100.0);
                            assertThat(stats.slowCallRate()).isBetween(0.0, 100.0);
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread loop : loops) {
            loop.join();
        }

        assertThat(failures).isEmpty();
        assertThat(overlapping.get()).as("listener calls overlapped").isZero();
        State current = CLOSED;
        int opened = 0;
        int closed = 0;
        for (State[] step : transitions) {
            assertThat(step[0]).as("transitions chain").isEqualTo(current);
            assertThat(legal(step[0], step[1])).as("%s -> %s", step[0], step[1]).isTrue();
            opened += step[1] == OPEN ? 1 : 0;
            closed += step[1] == CLOSED ? 1 : 0;
            current = step[1];
        }
        assertThat(breaker.state()).as("the listener ends on the breaker's state").isEqualTo(current);
        // Ten outages: each must have tripped the breaker and each recovery closed it again.
        assertThat(opened).isGreaterThanOrEqualTo(10);
        assertThat(closed).isGreaterThanOrEqualTo(9);
        assertThat(admitted.get()).isLessThan((long) THREADS * CALLS);

        // Every permit was answered, so no probe slot may be left taken: the breaker must recover.
        clock.advance(config.openDuration());
        for (int i = 0; i < config.halfOpenCalls() && breaker.state() != CLOSED; i++) {
            long permit = breaker.tryAcquire();
            assertThat(permit).as("probe %d admitted in %s", i, breaker.state()).isNotEqualTo(REJECTED);
            breaker.onSuccess(permit, 1_000);
        }
        assertThat(breaker.state()).isEqualTo(CLOSED);
    }

    private static boolean legal(State from, State to) {
        return switch (from) {
            case CLOSED -> to == OPEN;
            case OPEN -> to == HALF_OPEN;
            case HALF_OPEN -> to == CLOSED || to == OPEN;
        };
    }
}
