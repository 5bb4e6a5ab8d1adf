package io.portcullis.upstream.lb;

/** How a {@link LoadBalancer} chooses among a cluster's endpoints; set per cluster in the config. */
public enum Policy {
    /** Smooth weighted round robin (nginx): heavy endpoints are interleaved with light ones, not picked in bursts. */
    ROUND_ROBIN,
    /** Weighted random, O(1) per pick (alias method). */
    RANDOM,
    /** Fewest active requests per unit of weight: exact minimum up to 4 endpoints, power of two choices above. */
    LEAST_REQUEST,
    /** Consistent hashing on a ring of virtual nodes; removing an endpoint moves only that endpoint's keys. */
    RING_HASH,
    /** Maglev lookup table (65537 entries): O(1) per pick, near-minimal disruption when endpoints change. */
    MAGLEV
}
