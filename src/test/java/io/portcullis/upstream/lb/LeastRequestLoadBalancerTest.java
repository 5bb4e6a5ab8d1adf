package io.portcullis.upstream.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LeastRequestLoadBalancerTest {
    private static final int PICKS = 100_000;

    /** 3 and 4 take the exact minimum, 5 and 20 power of two choices. */
    @ParameterizedTest
    @ValueSource(ints = {3, 4, 5, 20})
    void busyEndpointGetsClearlyLess(int n) {
        ActiveRequests active = new ActiveRequests(n);
        for (int i = 0; i < 50; i++) {
            active.start(1);
        }
        int[] weights = new int[n];
        Arrays.fill(weights, 1);
        LoadBalancer lb = LoadBalancer.create(Policy.LEAST_REQUEST, weights, active, new SplittableRandom(3));
        int[] counts = new int[n];
        for (int i = 0; i < PICKS; i++) {
            counts[lb.pick(0)]++;
        }
        if (n <= LeastRequestLoadBalancer.EXACT_MAX) {
            assertThat(counts[1]).isZero();
        } else {
            // Two choices: the busy one wins only when drawn twice, 1/n^2 of the time.
            assertThat((double) counts[1] / PICKS).isLessThan(0.10).isCloseTo(1.0 / (n * n), offset(0.005));
        }
        for (int i = 0; i < n; i++) {
            if (i != 1) {
                assertThat(counts[i]).as("idle endpoint %d", i).isGreaterThan(PICKS / n);
            }
        }
    }

    @Test
    void comparesActivePerUnitOfWeight() {
        ActiveRequests active = new ActiveRequests(2);
        active.start(0);
        active.start(1);
        active.start(1);
        // 1 active on weight 1 (1.0) vs 2 active on weight 3 (0.67): the heavy, busier endpoint is less loaded.
        LoadBalancer lb = LoadBalancer.create(Policy.LEAST_REQUEST, new int[] {1, 3}, active, new SplittableRandom(4));
        for (int i = 0; i < 1000; i++) {
            assertThat(lb.pick(0)).isEqualTo(1);
        }
    }

    /**
     * Requests that each stay in flight for the next 100 picks. Exact minimum: equal-weight endpoints never differ by
     * more than one. Two choices: the in-flight counts stay at most half as spread as with weighted random.
     */
    @ParameterizedTest
    @ValueSource(ints = {3, 12})
    void keepsInFlightCountsLevel(int n) {
        double leastRequest = meanSpread(Policy.LEAST_REQUEST, n);
        if (n <= LeastRequestLoadBalancer.EXACT_MAX) {
            assertThat(leastRequest).isLessThanOrEqualTo(1.0);
        }
        assertThat(leastRequest).isLessThan(meanSpread(Policy.RANDOM, n) / 2);
    }

    /** Mean of (max - min) in-flight count over the equal-weight endpoints 1..n-1; endpoint 0 has weight 2. */
    private static double meanSpread(Policy policy, int n) {
        ActiveRequests active = new ActiveRequests(n);
        int[] weights = new int[n];
        Arrays.fill(weights, 1);
        weights[0] = 2;
        LoadBalancer lb = LoadBalancer.create(policy, weights, active, new SplittableRandom(5));
        ArrayDeque<Integer> inFlight = new ArrayDeque<>();
        long spreads = 0;
        int steps = 10_000;
        for (int i = 0; i < steps; i++) {
            int e = lb.pick(0);
            active.start(e);
            inFlight.add(e);
            if (inFlight.size() > 100) {
                active.end(inFlight.poll());
            }
            int min = Integer.MAX_VALUE;
            int max = 0;
            for (int j = 1; j < n; j++) {
                min = Math.min(min, active.get(j));
                max = Math.max(max, active.get(j));
            }
            spreads += max - min;
        }
        return (double) spreads / steps;
    }

}
