package io.portcullis.upstream.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every policy, with idle endpoints and random hash keys, sends each endpoint within 5% of its weight's share. 1M
 * picks keep sampling noise (at most about 1% for the smallest share here) well under that tolerance, so the test
 * measures the policy, not the dice.
 */
class DistributionTest {
    private static final int PICKS = 1_000_000;

    static Stream<Arguments> cases() {
        int[][] weightSets = {{1, 1, 1, 1, 1}, {5, 1, 1}, {1, 2, 3, 4}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, {1, 100},
                {3, 1, 4, 1, 5, 9, 2, 6}};
        return Stream.of(Policy.values())
                .flatMap(p -> Stream.of(weightSets).map(w -> Arguments.of(p, w)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void eachEndpointGetsItsWeightShareWithinFivePercent(Policy policy, int[] weights) {
        SplittableRandom random = new SplittableRandom(42);
        LoadBalancer lb = LoadBalancer.create(policy, weights, new ActiveRequests(weights.length), random.split());
        int[] counts = new int[weights.length];
        for (int i = 0; i < PICKS; i++) {
            counts[lb.pick(random.nextLong())]++;
        }
        long total = 0;
        for (int w : weights) {
            total += w;
        }
        for (int i = 0; i < weights.length; i++) {
            double expected = (double) PICKS * weights[i] / total;
            assertThat((double) counts[i])
                    .as("%s endpoint %d (weight %d of %d)", policy, i, weights[i], total)
                    .isCloseTo(expected, within(expected * 0.05));
        }
    }
}
