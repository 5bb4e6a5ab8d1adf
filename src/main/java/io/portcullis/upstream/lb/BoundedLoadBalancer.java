package io.portcullis.upstream.lb;

/**
 * Consistent hashing with bounded loads (Mirrokni, Thorup and Zadimoghaddam; Envoy's {@code hash_balance_factor})
 * over a {@link Policy#RING_HASH} or {@link Policy#MAGLEV} picker: no endpoint takes more than {@code factor} times
 * its weight's share of the requests in flight. When the key's endpoint is full, the key is rehashed, the same way
 * every time, so a hot key spills to the same few endpoints rather than everywhere; after {@code 2n} full
 * candidates the least loaded endpoint takes it.
 *
 * <p>Some endpoint always has room: capacities sum to {@code factor} (at least 1) times the requests in flight plus
 * this one. Reading the counts costs O(n) per pick, so it suits the small clusters hashing is used for.
 */
final class BoundedLoadBalancer implements LoadBalancer {
    private static final long STEP = 0x9E3779B97F4A7C15L;

    private final LoadBalancer hashing;
    private final int[] weights;
    private final long totalWeight;
    private final RequestCounts active;
    private final double factor;

    BoundedLoadBalancer(LoadBalancer hashing, int[] weights, RequestCounts active, double factor) {
        if (!(factor >= 1)) {
            throw new IllegalArgumentException("bounded-load factor must be >= 1, was " + factor);
        }
        this.hashing = hashing;
        this.weights = weights;
        this.active = active;
        this.factor = factor;
        long sum = 0;
        for (int w : weights) {
            sum += w;
        }
        this.totalWeight = sum;
    }

    @Override
    public int pick(long hash) {
        int n = weights.length;
        long inFlight = 1; // this request
        for (int i = 0; i < n; i++) {
            inFlight += active.get(i);
        }
        double perWeight = factor * inFlight / totalWeight;
        long h = hash;
        for (int attempt = 0; attempt < 2 * n; attempt++) {
            int i = hashing.pick(h);
            if (active.get(i) < Math.ceil(perWeight * weights[i])) {
                return i;
            }
            h = Hashing.mix(h + STEP);
        }
        int best = 0;
        for (int i = 1; i < n; i++) {
            if ((long) active.get(i) * weights[best] < (long) active.get(best) * weights[i]) {
                best = i;
            }
        }
        return best;
    }
}
