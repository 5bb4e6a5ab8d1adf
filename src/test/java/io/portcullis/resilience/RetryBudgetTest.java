package io.portcullis.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {

    @Test
    void floorAppliesWithNoActiveRequests() {
        RetryBudget budget = new RetryBudget(0.2, 3);
        assertThat(acquireAll(budget, 0)).isEqualTo(3);
        assertThat(budget.retriesInFlight()).isEqualTo(3);
    }

    @Test
    void ratioAppliesAboveTheFloor() {
        RetryBudget budget = new RetryBudget(0.2, 3);
        assertThat(acquireAll(budget, 100)).isEqualTo(20);
        assertThat(acquireAll(new RetryBudget(0.2, 3), 10)).as("20%% of 10 is under the floor").isEqualTo(3);
    }

    @Test
    void wholeNumberBudgetsAreNotTruncatedByRoundingError() {
        assertThat(0.29 * 100).isLessThan(29); // the trap
        assertThat(acquireAll(new RetryBudget(0.29, 0), 100)).isEqualTo(29);
    }

    @Test
    void zeroRatioAndZeroFloorAllowNoRetries() {
        assertThat(new RetryBudget(0, 0).tryAcquire(1_000)).isFalse();
    }

    @Test
    void releaseFreesARetry() {
        RetryBudget budget = new RetryBudget(0, 2);
        acquireAll(budget, 0);
        assertThat(budget.tryAcquire(0)).isFalse();
        budget.release();
        assertThat(budget.retriesInFlight()).isEqualTo(1);
        assertThat(budget.tryAcquire(0)).isTrue();
    }

    @Test
    void budgetShrinkingBelowRetriesInFlightAdmitsNoMore() {
        RetryBudget budget = new RetryBudget(0.5, 0);
        assertThat(acquireAll(budget, 10)).isEqualTo(5);
        assertThat(budget.tryAcquire(4)).isFalse();
        assertThat(budget.retriesInFlight()).isEqualTo(5);
    }

    @Test
    void releaseWithoutAcquireFailsUnderAssertions() {
        RetryBudget budget = new RetryBudget(0.1, 1);
        assertThatThrownBy(budget::release).isInstanceOf(AssertionError.class);
        assertThat(budget.retriesInFlight()).isZero();
    }

    @Test
    void invalidArgumentsNameTheField() {
        assertThatThrownBy(() -> new RetryBudget(-0.1, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ratio must be in [0, 1], was -0.1");
        assertThatThrownBy(() -> new RetryBudget(1.5, 1)).hasMessage("ratio must be in [0, 1], was 1.5");
        assertThatThrownBy(() -> new RetryBudget(Double.NaN, 1)).hasMessage("ratio must be in [0, 1], was NaN");
        assertThatThrownBy(() -> new RetryBudget(0.2, -1)).hasMessage("min_retries must be >= 0, was -1");
    }

    @Test
    void concurrentCallersNeverExceedTheBudget() throws Exception {
        RetryBudget budget = new RetryBudget(0.1, 2); // 5 with 50 active
        int threads = 8;
        AtomicInteger holding = new AtomicInteger();
        AtomicInteger mostHeld = new AtomicInteger();
        AtomicInteger granted = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    for (int i = 0; i < 200_000; i++) {
                        if (budget.tryAcquire(50)) {
                            // Counted after the grant and uncounted before the release, so `holding` never runs
                            // ahead of what the budget really has in flight.
                            mostHeld.accumulateAndGet(holding.incrementAndGet(), Math::max);
                            granted.incrementAndGet();
                            holding.decrementAndGet();
                            budget.release();
                        }
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
        assertThat(failure.get()).isNull();
        assertThat(mostHeld.get()).isBetween(1, 5);
        assertThat(granted.get()).isPositive();
        assertThat(budget.retriesInFlight()).isZero();
    }

    private static int acquireAll(RetryBudget budget, int active) {
        int n = 0;
        while (budget.tryAcquire(active)) {
            n++;
            assertThat(n).as("budget never ends").isLessThan(10_000);
        }
        return n;
    }
}
