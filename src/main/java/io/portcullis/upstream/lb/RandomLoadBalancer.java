package io.portcullis.upstream.lb;

import java.util.random.RandomGenerator;

/** Weighted random: one draw from an {@link AliasTable}, O(1) whatever the number of endpoints. */
final class RandomLoadBalancer implements LoadBalancer {
    private final AliasTable table;
    private final RandomGenerator random;

    RandomLoadBalancer(int[] weights, RandomGenerator random) {
        this.table = new AliasTable(weights);
        this.random = random;
    }

    @Override
    public int pick(long hash) {
        return table.sample(random);
    }
}
