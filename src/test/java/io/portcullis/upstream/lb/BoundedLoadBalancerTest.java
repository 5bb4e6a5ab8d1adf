package io.portcullis.upstream.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Bounded-load consistent hashing: keys stay put while their endpoint has room, and spill when it does not. */
class BoundedLoadBalancerTest {
    private static final int N = 4;

    private static LoadBalancer bounded(Policy policy, ActiveRequests active, double factor) {
        int[] weights = {1, 1, 1, 1};
        LoadBalancer hashing = LoadBalancer.create(policy, weights, active, new SplittableRandom(1));
        return LoadBalancer.boundedLoad(hashing, weights, active, factor);
    }

    @Test
    void withRoomEveryKeyGoesWhereThePlainHashSendsIt() {
        for (Policy policy : new Policy[] {Policy.RING_HASH, Policy.MAGLEV}) {
            ActiveRequests active = new ActiveRequests(N);
            LoadBalancer plain = LoadBalancer.create(policy, new int[] {1, 1, 1, 1}, active, new SplittableRandom(1));
            LoadBalancer bounded = bounded(policy, active, 1.25);
            for (long key = 0; key < 1000; key++) {
                long h = Hashing.mix(key);
                assertThat(bounded.pick(h)).as("%s key %d", policy, key).isEqualTo(plain.pick(h));
            }
        }
    }

    @Test
    void aHotKeySpillsOnceItsEndpointHoldsMoreThanItsShare() {
        for (Policy policy : new Policy[] {Policy.RING_HASH, Policy.MAGLEV}) {
            ActiveRequests active = new ActiveRequests(N);
            LoadBalancer lb = bounded(policy, active, 1.25);
            long hot = Hashing.hash("tenant-42");
            int home = lb.pick(hot);
            // Every request of the hot key stays in flight; no endpoint may exceed ceil(1.25 * inFlight / 4).
            int spilled = 0;
            for (int r = 0; r < 400; r++) {
                int i = lb.pick(hot);
                spilled += i == home ? 0 : 1;
                active.start(i);
                long inFlight = 0;
                for (int e = 0; e < N; e++) {
                    inFlight += active.get(e);
                }
                for (int e = 0; e < N; e++) {
                    assertThat(active.get(e)).as("%s endpoint %d after %d requests", policy, e, r + 1)
                            .isLessThanOrEqualTo((int) Math.ceil(1.25 * inFlight / N));
                }
            }
            assertThat(spilled).as(policy.name()).isGreaterThan(250);
            // The home endpoint still has the largest share: spilling starts only when it is full.
            for (int e = 0; e < N; e++) {
                assertThat(active.get(home)).isGreaterThanOrEqualTo(active.get(e));
            }
        }
    }

    @Test
    void theSpillOrderIsTheSameForTheSameKey() {
        ActiveRequests active = new ActiveRequests(N);
        LoadBalancer lb = bounded(Policy.RING_HASH, active, 1.0);
        long key = Hashing.hash("k");
        int home = lb.pick(key);
        for (int r = 0; r < 3; r++) {
            active.start(home);
        }
        int first = lb.pick(key);
        assertThat(first).isNotEqualTo(home);
        assertThat(lb.pick(key)).isEqualTo(first);
    }

    @Test
    void factorBelowOneIsRefused() {
        assertThatThrownBy(() -> bounded(Policy.RING_HASH, new ActiveRequests(N), 0.9))
                .hasMessageContaining("must be >= 1, was 0.9");
    }
}
