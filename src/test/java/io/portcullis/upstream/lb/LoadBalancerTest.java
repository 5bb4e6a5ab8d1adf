package io.portcullis.upstream.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The factory's contract: validation with named values, and the empty cluster. */
class LoadBalancerTest {

    @ParameterizedTest
    @EnumSource(Policy.class)
    void noEndpointsPicksMinusOne(Policy policy) {
        LoadBalancer lb = LoadBalancer.create(policy, new int[0], new ActiveRequests(0), new SplittableRandom(1));
        assertThat(lb.pick(0)).isEqualTo(-1);
        assertThat(lb.pick(Long.MIN_VALUE)).isEqualTo(-1);
    }

    @ParameterizedTest
    @EnumSource(Policy.class)
    void singleEndpointAlwaysPicked(Policy policy) {
        LoadBalancer lb = LoadBalancer.create(policy, new int[] {3}, new ActiveRequests(1), new SplittableRandom(1));
        SplittableRandom hashes = new SplittableRandom(2);
        for (int i = 0; i < 1000; i++) {
            assertThat(lb.pick(hashes.nextLong())).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Policy.class)
    void zeroWeightRejectedNamingIt(Policy policy) {
        assertThatThrownBy(() -> LoadBalancer.create(policy, new int[] {1, 0, 2}, new ActiveRequests(3),
                new SplittableRandom(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("weights[1] must be > 0, was 0");
    }

    @Test
    void negativeWeightRejectedNamingIt() {
        assertThatThrownBy(() -> LoadBalancer.create(Policy.ROUND_ROBIN, new int[] {1, 2, -7}, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("weights[2] must be > 0, was -7");
    }

    @Test
    void leastRequestNeedsCountsForEveryEndpoint() {
        assertThatThrownBy(() -> LoadBalancer.create(Policy.LEAST_REQUEST, new int[] {1, 1}, null,
                new SplittableRandom(1)))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("LEAST_REQUEST needs active request counts");
        assertThatThrownBy(() -> LoadBalancer.create(Policy.LEAST_REQUEST, new int[] {1, 1}, new ActiveRequests(3),
                new SplittableRandom(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("active has 3 endpoints but weights has 2");
    }

    @Test
    void randomPoliciesNeedARandom() {
        assertThatThrownBy(() -> LoadBalancer.create(Policy.RANDOM, new int[] {1}, null, null))
                .hasMessageContaining("RANDOM needs a random");
    }

    @Test
    void duplicateEndpointKeysRejected() {
        assertThatThrownBy(() -> LoadBalancer.create(Policy.MAGLEV, new long[] {5, 6, 5}, new int[] {1, 1, 1}, null,
                null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("endpointKeys[2] duplicates endpointKeys[0]: 5");
    }

    @Test
    void keysAndWeightsMustMatch() {
        assertThatThrownBy(() -> LoadBalancer.create(Policy.RING_HASH, new long[] {5, 6}, new int[] {1}, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("endpointKeys has 2 entries but weights has 1");
    }

    @Test
    void laterChangesToTheWeightsArrayDoNotLeakIn() {
        int[] weights = {1, 1};
        LoadBalancer lb = LoadBalancer.create(Policy.ROUND_ROBIN, weights, null, null);
        weights[0] = 100;
        assertThat(new int[] {lb.pick(0), lb.pick(0), lb.pick(0), lb.pick(0)}).containsExactly(0, 1, 0, 1);
    }
}
