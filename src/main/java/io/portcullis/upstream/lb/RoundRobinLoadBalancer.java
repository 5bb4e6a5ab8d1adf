package io.portcullis.upstream.lb;

/**
 * nginx's smooth weighted round robin: each pick adds every endpoint's weight to its running score, takes the
 * highest score and subtracts the total weight from it. Over one cycle of {@code sum(weights)} picks each endpoint
 * is chosen exactly {@code weight} times, and heavy endpoints are spread out ({@code 5,1,1} gives
 * {@code a a b a c a a}) rather than sent bursts. O(n) per pick; equal weights take an O(1) cursor instead.
 *
 * <p>Confined to the event loop that built it (see {@link LoadBalancer}); plain fields, no atomics.
 */
final class RoundRobinLoadBalancer implements LoadBalancer {
    private final int[] weights;
    private final long total;
    private final boolean uniform;
    private final long[] current;
    private int cursor;
    private Thread owner;

    RoundRobinLoadBalancer(int[] weights) {
        this.weights = weights;
        long sum = 0;
        boolean same = true;
        for (int w : weights) {
            sum += w;
            same &= w == weights[0];
        }
        this.total = sum;
        this.uniform = same;
        this.current = new long[weights.length];
    }

    @Override
    public int pick(long hash) {
        assert confined();
        if (uniform) {
            int i = cursor;
            cursor = i + 1 == weights.length ? 0 : i + 1;
            return i;
        }
        long[] cur = current;
        int[] w = weights;
        int best = 0;
        long bestScore = Long.MIN_VALUE;
        for (int i = 0; i < cur.length; i++) {
            long score = cur[i] + w[i];
            cur[i] = score;
            if (score > bestScore) {
                bestScore = score;
                best = i;
            }
        }
        cur[best] -= total;
        return best;
    }

    private boolean confined() {
        Thread t = Thread.currentThread();
        if (owner == null) {
            owner = t;
        }
        if (owner != t) {
            throw new AssertionError("round robin picker of " + owner.getName() + " used from " + t.getName());
        }
        return true;
    }
}
