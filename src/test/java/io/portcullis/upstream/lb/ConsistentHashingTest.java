package io.portcullis.upstream.lb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Endpoint churn under the hash policies: endpoints are identified by a stable key (their address), so removing one
 * from the middle of the list or adding one moves about 1/N of 100k request keys, and never more than 2/N.
 */
class ConsistentHashingTest {
    private static final int KEYS = 100_000;

    @ParameterizedTest(name = "{0} remove endpoint {2} of {1}")
    @CsvSource({"RING_HASH, 5, 2", "RING_HASH, 10, 0", "RING_HASH, 10, 7", "MAGLEV, 5, 2", "MAGLEV, 10, 0",
            "MAGLEV, 10, 7"})
    void removingOneOfNMovesAboutOneNth(Policy policy, int n, int removed) {
        long[] keys = addresses(n);
        long[] fewer = new long[n - 1];
        for (int i = 0, j = 0; i < n; i++) {
            if (i != removed) {
                fewer[j++] = keys[i];
            }
        }
        LoadBalancer before = LoadBalancer.create(policy, keys, ones(n), null, null);
        LoadBalancer after = LoadBalancer.create(policy, fewer, ones(n - 1), null, null);

        long[] requests = requestKeys();
        int moved = 0;
        int survivorsMoved = 0;
        for (long h : requests) {
            long was = keys[before.pick(h)];
            long now = fewer[after.pick(h)];
            assertThat(now).isNotEqualTo(keys[removed]);
            if (was != now) {
                moved++;
                if (was != keys[removed]) {
                    survivorsMoved++;
                }
            }
        }
        double share = (double) moved / KEYS;
        assertThat(share).as("share of keys moved").isBetween(0.5 / n, 2.0 / n);
        if (policy == Policy.RING_HASH) {
            assertThat(survivorsMoved).as("keys moved off surviving endpoints").isZero();
        } else {
            assertThat((double) survivorsMoved / KEYS).as("keys moved off surviving endpoints").isLessThan(0.5 / n);
        }
    }

    @ParameterizedTest(name = "{0} add one to {1}")
    @CsvSource({"RING_HASH, 5", "RING_HASH, 10", "MAGLEV, 5", "MAGLEV, 10"})
    void addingOneMovesAboutOneNthAndOnlyToTheNewEndpoint(Policy policy, int n) {
        long[] more = addresses(n + 1);
        long[] keys = Arrays.copyOf(more, n);
        LoadBalancer before = LoadBalancer.create(policy, keys, ones(n), null, null);
        LoadBalancer after = LoadBalancer.create(policy, more, ones(n + 1), null, null);

        int moved = 0;
        int movedElsewhere = 0;
        for (long h : requestKeys()) {
            long was = keys[before.pick(h)];
            long now = more[after.pick(h)];
            if (was != now) {
                moved++;
                if (now != more[n]) {
                    movedElsewhere++;
                }
            }
        }
        int m = n + 1;
        assertThat((double) moved / KEYS).as("share of keys moved").isBetween(0.5 / m, 2.0 / m);
        if (policy == Policy.RING_HASH) {
            assertThat(movedElsewhere).as("keys moved between old endpoints").isZero();
        } else {
            assertThat((double) movedElsewhere / KEYS).as("keys moved between old endpoints").isLessThan(0.5 / m);
        }
    }

    @ParameterizedTest
    @CsvSource({"RING_HASH", "MAGLEV"})
    void theSameKeyAlwaysGoesToTheSameEndpoint(Policy policy) {
        LoadBalancer a = LoadBalancer.create(policy, addresses(7), ones(7), null, null);
        LoadBalancer b = LoadBalancer.create(policy, addresses(7), ones(7), null, null);
        for (long h : requestKeys()) {
            assertThat(b.pick(h)).isEqualTo(a.pick(h));
        }
        long session = Hashing.hash("session=8f14e45f");
        assertThat(a.pick(session)).isEqualTo(a.pick(Hashing.hash(new StringBuilder("session=8f14e45f"))));
    }

    private static long[] addresses(int n) {
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = Hashing.hash("10.0.0." + (i + 1) + ":8080");
        }
        return keys;
    }

    private static int[] ones(int n) {
        int[] w = new int[n];
        Arrays.fill(w, 1);
        return w;
    }

    private static long[] requestKeys() {
        SplittableRandom random = new SplittableRandom(7);
        long[] keys = new long[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = Hashing.hash("user-" + random.nextInt());
        }
        return keys;
    }
}
