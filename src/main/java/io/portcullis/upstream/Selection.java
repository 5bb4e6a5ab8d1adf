package io.portcullis.upstream;

import java.util.ArrayList;
import java.util.List;

/**
 * The endpoints of a cluster that may receive new requests right now, given their health (active checks and outlier
 * ejection: an ejected endpoint counts as unhealthy here): an immutable value the
 * cluster recomputes on every health or DNS change and each event loop's {@link ClusterPicker} builds its load
 * balancer from.
 *
 * <p>Priority levels are tried in order; the first level whose healthy share reaches the panic threshold serves,
 * over its healthy endpoints only. When no level does, the cluster is in panic: the first level that has any
 * healthy endpoint (or level 0 when none has) is balanced across all its endpoints, healthy or not, rather than
 * overload the few that pass their checks. With a threshold of 0 there is no panic mode, and a cluster without a
 * healthy endpoint selects nothing.
 */
final class Selection {
    static final Selection EMPTY = new Selection(new UpstreamEndpoint[0], -1, false, false);

    final UpstreamEndpoint[] endpoints;
    final int[] weights;
    final long[] keys;
    final int level;
    final boolean panic;
    /** Whether any endpoint of any level is healthy (a failover cluster takes over when none is). */
    final boolean anyHealthy;

    private Selection(UpstreamEndpoint[] endpoints, int level, boolean panic, boolean anyHealthy) {
        this.endpoints = endpoints;
        this.level = level;
        this.panic = panic;
        this.anyHealthy = anyHealthy;
        this.weights = new int[endpoints.length];
        this.keys = new long[endpoints.length];
        for (int i = 0; i < endpoints.length; i++) {
            weights[i] = endpoints[i].weight();
            keys[i] = endpoints[i].key();
        }
    }

    static Selection of(UpstreamEndpoint[] all, double panicThreshold) {
        int maxLevel = 0;
        for (UpstreamEndpoint e : all) {
            maxLevel = Math.max(maxLevel, e.priority());
        }
        int firstWithHealthy = -1;
        for (int level = 0; level <= maxLevel; level++) {
            int total = 0;
            int healthy = 0;
            for (UpstreamEndpoint e : all) {
                if (e.priority() == level) {
                    total++;
                    healthy += e.available() ? 1 : 0;
                }
            }
            if (healthy > 0 && firstWithHealthy < 0) {
                firstWithHealthy = level;
            }
            if (healthy > 0 && healthy >= panicThreshold * total) {
                return new Selection(level(all, level, true), level, false, true);
            }
        }
        if (panicThreshold <= 0) {
            return EMPTY;
        }
        int level = firstWithHealthy >= 0 ? firstWithHealthy : lowestLevel(all);
        return new Selection(level(all, level, false), level, true, firstWithHealthy >= 0);
    }

    private static int lowestLevel(UpstreamEndpoint[] all) {
        int lowest = Integer.MAX_VALUE;
        for (UpstreamEndpoint e : all) {
            lowest = Math.min(lowest, e.priority());
        }
        return lowest;
    }

    private static UpstreamEndpoint[] level(UpstreamEndpoint[] all, int level, boolean healthyOnly) {
        List<UpstreamEndpoint> out = new ArrayList<>();
        for (UpstreamEndpoint e : all) {
            if (e.priority() == level && (!healthyOnly || e.available())) {
                out.add(e);
            }
        }
        return out.toArray(new UpstreamEndpoint[0]);
    }
}
