package io.portcullis.upstream.lb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RoundRobinLoadBalancerTest {

    @Test
    void followsNginxSmoothSequence() {
        LoadBalancer lb = LoadBalancer.create(Policy.ROUND_ROBIN, new int[] {5, 1, 1}, null, null);
        StringBuilder seq = new StringBuilder();
        for (int i = 0; i < 21; i++) {
            seq.append((char) ('a' + lb.pick(0)));
        }
        assertThat(seq).hasToString("aabacaa".repeat(3));
    }

    @Test
    void everyCycleGivesExactSharesAndStaysCloseToIdealAtEveryPrefix() {
        int[] weights = {7, 3, 1, 12, 5};
        int cycle = 28;
        LoadBalancer lb = LoadBalancer.create(Policy.ROUND_ROBIN, weights, null, null);
        int[] counts = new int[weights.length];
        for (int k = 1; k <= 10 * cycle; k++) {
            counts[lb.pick(0)]++;
            for (int i = 0; i < weights.length; i++) {
                double ideal = (double) k * weights[i] / cycle;
                // Smoothness: never ahead or behind the ideal count by a whole pick or more.
                assertThat(Math.abs(counts[i] - ideal)).as("endpoint %d after %d picks", i, k).isLessThan(1.0);
            }
            if (k % cycle == 0) {
                for (int i = 0; i < weights.length; i++) {
                    assertThat(counts[i]).isEqualTo(k / cycle * weights[i]);
                }
            }
        }
    }

    @Test
    void equalWeightsRotate() {
        LoadBalancer lb = LoadBalancer.create(Policy.ROUND_ROBIN, new int[] {2, 2, 2}, null, null);
        assertThat(new int[] {lb.pick(0), lb.pick(0), lb.pick(0), lb.pick(0)}).containsExactly(0, 1, 2, 0);
    }

    @Test
    void useFromASecondThreadFailsUnderAssertions() throws InterruptedException {
        LoadBalancer lb = LoadBalancer.create(Policy.ROUND_ROBIN, new int[] {1, 2}, null, null);
        lb.pick(0);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                lb.pick(0);
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "other-loop");
        other.start();
        other.join();
        assertThat(failure.get()).isInstanceOf(AssertionError.class).hasMessageContaining("other-loop");
    }
}
