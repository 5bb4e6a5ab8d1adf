package io.portcullis.upstream.lb;

import java.util.random.RandomGenerator;

/**
 * Fewest active requests per unit of weight ({@code active / weight}, compared by cross-multiplication, so no
 * division and no rounding).
 *
 * <p>Up to {@value #EXACT_MAX} endpoints the exact minimum is cheap, so it is taken, ties broken at random in
 * proportion to weight. Above, power of two choices: two candidates drawn by weight (possibly the same one), the less
 * loaded wins, the first on a tie. Drawing by weight makes an idle cluster receive traffic in proportion to weight,
 * and avoids the herd that always sending to the global minimum causes when counts are stale across event loops.
 */
final class LeastRequestLoadBalancer implements LoadBalancer {
    /** Largest endpoint count for which the exact minimum is scanned. */
    static final int EXACT_MAX = 4;

    private final int[] weights;
    private final RequestCounts active;
    private final RandomGenerator random;
    private final AliasTable table;

    LeastRequestLoadBalancer(int[] weights, RequestCounts active, RandomGenerator random) {
        this.weights = weights;
        this.active = active;
        this.random = random;
        this.table = weights.length > EXACT_MAX ? new AliasTable(weights) : null;
    }

    @Override
    public int pick(long hash) {
        return table == null ? exactMinimum() : twoChoices();
    }

    private int twoChoices() {
        int a = table.sample(random);
        int b = table.sample(random);
        return (long) active.get(b) * weights[a] < (long) active.get(a) * weights[b] ? b : a;
    }

    private int exactMinimum() {
        int[] w = weights;
        int best = 0;
        long bestActive = active.get(0);
        long tiedWeight = w[0];
        for (int i = 1; i < w.length; i++) {
            long a = active.get(i);
            long lhs = a * w[best];
            long rhs = bestActive * w[i];
            if (lhs < rhs) {
                best = i;
                bestActive = a;
                tiedWeight = w[i];
            } else if (lhs == rhs) {
                // Weighted reservoir sampling over the tied endpoints.
                tiedWeight += w[i];
                if (random.nextLong(tiedWeight) < w[i]) {
                    best = i;
                    bestActive = a;
                }
            }
        }
        return best;
    }
}
