package io.portcullis.upstream.lb;

import java.util.Arrays;

/**
 * Maglev consistent hashing (Eisenbud et al., NSDI 2016; Envoy's {@code MAGLEV}): a lookup table of {@value #SIZE}
 * (prime) entries, filled by letting endpoints take turns claiming the next free entry of their own permutation of
 * the table. A pick is one table read. Removing one of N endpoints moves about 1/N of keys plus a little more (the
 * remaining endpoints' turns shift); in exchange lookups are O(1) and the shares are near-exact.
 *
 * <p>Weights: in each round every endpoint accrues its weight and claims an entry whenever it has accrued the
 * largest weight, so shares follow weights. With more endpoints than entries some get none. Immutable once built.
 */
final class MaglevLoadBalancer implements LoadBalancer {
    static final int SIZE = 65537;
    private static final long SKIP_SALT = 0x5DEECE66DL;

    private final int[] table;

    MaglevLoadBalancer(long[] keys, int[] weights) {
        int n = weights.length;
        long[] offset = new long[n];
        long[] skip = new long[n];
        long[] next = new long[n];
        long[] credit = new long[n];
        int maxWeight = 0;
        for (int i = 0; i < n; i++) {
            long h = Hashing.mix(keys[i]);
            offset[i] = Long.remainderUnsigned(h, SIZE);
            skip[i] = Long.remainderUnsigned(Hashing.mix(h ^ SKIP_SALT), SIZE - 1) + 1;
            maxWeight = Math.max(maxWeight, weights[i]);
        }
        int[] t = new int[SIZE];
        Arrays.fill(t, -1);
        int filled = 0;
        fill:
        while (true) {
            for (int i = 0; i < n; i++) {
                credit[i] += weights[i];
                if (credit[i] < maxWeight) {
                    continue;
                }
                credit[i] -= maxWeight;
                int c;
                do {
                    c = (int) ((offset[i] + next[i]++ * skip[i]) % SIZE);
                } while (t[c] >= 0);
                t[c] = i;
                if (++filled == SIZE) {
                    break fill;
                }
            }
        }
        this.table = t;
    }

    @Override
    public int pick(long hash) {
        return table[(int) Long.remainderUnsigned(hash, SIZE)];
    }
}
