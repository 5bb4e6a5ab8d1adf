package io.portcullis.upstream.lb;

import java.util.Arrays;

/**
 * Consistent hashing on a ring (Karger; Envoy's {@code RING_HASH}): each endpoint owns virtual nodes at
 * pseudo-random positions derived from its key, in proportion to its weight; a request goes to the first node at or
 * after its hash. Removing an endpoint moves only the keys that were on it; adding one takes keys only from others'
 * arcs it now covers. O(log ring) per pick; immutable, so safe to share.
 *
 * <p>Ring size: the lightest endpoint gets {@value #REPLICAS} nodes and the others proportionally more, capped at
 * {@value #MAX_RING} nodes in total. With {@value #REPLICAS} nodes an endpoint's share of the key space is within
 * a few percent of its weight's share.
 */
final class RingHashLoadBalancer implements LoadBalancer {
    static final int REPLICAS = 4096;
    static final int MAX_RING = 1 << 20;
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    /** Sorted node positions; the low {@code indexBits} bits hold the owner, which also breaks position ties. */
    private final long[] ring;
    private final long ownerMask;

    RingHashLoadBalancer(long[] keys, int[] weights) {
        int n = weights.length;
        int indexBits = Math.max(1, 32 - Integer.numberOfLeadingZeros(n - 1));
        ownerMask = (1L << indexBits) - 1;
        int minWeight = Integer.MAX_VALUE;
        long sum = 0;
        for (int w : weights) {
            minWeight = Math.min(minWeight, w);
            sum += w;
        }
        double perWeight = Math.min((double) REPLICAS / minWeight, (double) MAX_RING / sum);
        int[] replicas = new int[n];
        long size = 0;
        for (int i = 0; i < n; i++) {
            replicas[i] = (int) Math.max(1, Math.round(weights[i] * perWeight));
            size += replicas[i];
        }
        ring = new long[Math.toIntExact(size)];
        int j = 0;
        for (int i = 0; i < n; i++) {
            long base = Hashing.mix(keys[i]);
            for (int r = 0; r < replicas[i]; r++) {
                ring[j++] = Hashing.mix(base + r * GOLDEN) & ~ownerMask | i;
            }
        }
        Arrays.sort(ring);
    }

    @Override
    public int pick(long hash) {
        long[] r = ring;
        int lo = 0;
        int hi = r.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (r[mid] < hash) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return (int) (r[lo == r.length ? 0 : lo] & ownerMask);
    }

    int size() {
        return ring.length;
    }
}
