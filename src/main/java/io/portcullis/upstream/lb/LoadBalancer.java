package io.portcullis.upstream.lb;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Chooses an endpoint index for one request. Sits between route matching (which names the cluster) and the
 * per-loop connection pools (which lend a connection to the chosen endpoint).
 *
 * <p>Built from an immutable endpoint list when a snapshot is built, and <b>once per event loop</b> (Envoy's
 * {@code ThreadAwareLoadBalancer}): {@link #create} is called for each loop and the instance is confined to that
 * loop, so {@link Policy#ROUND_ROBIN} keeps a plain cursor and the random policies may use a generator that is not
 * thread-safe (confinement of round robin is asserted under {@code -ea}). {@link Policy#RING_HASH} and
 * {@link Policy#MAGLEV} are immutable after construction and may also be shared between loops. Only
 * the request counts ({@link RequestCounts}) are shared by all loops.
 */
public interface LoadBalancer {

    /**
     * @param hash the request's hash key (only used by hash policies; ignored otherwise), e.g. from
     *     {@link Hashing#hash(CharSequence)}
     * @return an index into the endpoint list, or -1 when there is none
     */
    int pick(long hash);

    /**
     * A picker whose hash policies place endpoint {@code i} by its index. Keys stay on their endpoint when endpoints
     * are appended or the last ones removed; when a reload may remove or reorder endpoints in the middle of the
     * list, use {@link #create(Policy, long[], int[], RequestCounts, RandomGenerator)} with stable keys.
     */
    static LoadBalancer create(Policy policy, int[] weights, RequestCounts active, RandomGenerator random) {
        Objects.requireNonNull(weights, "weights");
        long[] keys = new long[weights.length];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = i;
        }
        return create(policy, keys, weights, active, random);
    }

    /**
     * @param endpointKeys one stable, distinct identity per endpoint (e.g. {@code Hashing.hash("10.0.0.7:8080")}),
     *     which places the endpoint on the ring or in the Maglev table independently of its position in the list
     * @param weights one weight per endpoint, each > 0
     * @param active shared active-request counts, one per endpoint; required by {@link Policy#LEAST_REQUEST} only
     * @param random required by {@link Policy#RANDOM} and {@link Policy#LEAST_REQUEST} only; confined with the picker
     * @throws IllegalArgumentException naming the offending weight, key or size (a programmer or config error)
     */
    static LoadBalancer create(Policy policy, long[] endpointKeys, int[] weights, RequestCounts active,
            RandomGenerator random) {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(endpointKeys, "endpointKeys");
        Objects.requireNonNull(weights, "weights");
        if (endpointKeys.length != weights.length) {
            throw new IllegalArgumentException("endpointKeys has " + endpointKeys.length + " entries but weights has "
                    + weights.length);
        }
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] <= 0) {
                throw new IllegalArgumentException("weights[" + i + "] must be > 0, was " + weights[i]);
            }
        }
        if (weights.length == 0) {
            return NoEndpointLoadBalancer.INSTANCE;
        }
        int[] w = weights.clone();
        return switch (policy) {
            case ROUND_ROBIN -> new RoundRobinLoadBalancer(w);
            case RANDOM -> new RandomLoadBalancer(w, Objects.requireNonNull(random, "RANDOM needs a random"));
            case LEAST_REQUEST -> {
                Objects.requireNonNull(active, "LEAST_REQUEST needs active request counts");
                if (active instanceof ActiveRequests a && a.endpoints() != w.length) {
                    throw new IllegalArgumentException("active has " + a.endpoints()
                            + " endpoints but weights has " + w.length);
                }
                yield new LeastRequestLoadBalancer(w, active,
                        Objects.requireNonNull(random, "LEAST_REQUEST needs a random"));
            }
            case RING_HASH -> new RingHashLoadBalancer(distinct(endpointKeys), w);
            case MAGLEV -> new MaglevLoadBalancer(distinct(endpointKeys), w);
        };
    }

    /**
     * Wraps a {@link Policy#RING_HASH} or {@link Policy#MAGLEV} picker so that no endpoint takes more than
     * {@code factor} (>= 1) times its weight's share of the requests in flight ({@link BoundedLoadBalancer}).
     */
    static LoadBalancer boundedLoad(LoadBalancer hashing, int[] weights, RequestCounts active, double factor) {
        Objects.requireNonNull(hashing, "hashing");
        Objects.requireNonNull(active, "active");
        if (weights.length == 0) {
            return hashing;
        }
        return new BoundedLoadBalancer(hashing, weights.clone(), active, factor);
    }

    private static long[] distinct(long[] keys) {
        Map<Long, Integer> seen = new HashMap<>();
        for (int i = 0; i < keys.length; i++) {
            Integer before = seen.putIfAbsent(keys[i], i);
            if (before != null) {
                throw new IllegalArgumentException("endpointKeys[" + i + "] duplicates endpointKeys[" + before
                        + "]: " + keys[i]);
            }
        }
        return keys.clone();
    }
}
