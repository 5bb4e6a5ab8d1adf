package io.portcullis.upstream;

import io.portcullis.upstream.lb.LoadBalancer;
import io.portcullis.upstream.lb.Policy;
import io.portcullis.upstream.lb.RequestCounts;
import java.util.SplittableRandom;

/**
 * One event loop's load balancer for one cluster (Envoy's thread-local load balancer): rebuilt on the loop when
 * the cluster publishes a new {@link Selection}, so picks take no lock and round robin keeps a plain cursor.
 * Requests in flight are read from the endpoints themselves, which every loop shares.
 */
final class ClusterPicker {
    private final Cluster cluster;
    private final Policy policy;
    private final SplittableRandom random;
    /** Bounded-load factor for hashing policies (1.25 = 125% of an endpoint's share), or 0. */
    private final double boundedLoad;
    private Selection seen;
    private LoadBalancer lb;

    ClusterPicker(Cluster cluster, Policy policy, long seed) {
        this.cluster = cluster;
        this.policy = policy;
        this.random = new SplittableRandom(seed);
        int percent = cluster.config().hashBalanceFactor();
        this.boundedLoad = cluster.hashing() && percent > 0 ? percent / 100.0 : 0;
    }

    /** The endpoint for a request with this hash (ignored unless the policy hashes), or null when none is usable. */
    UpstreamEndpoint pick(long hash) {
        return pick(hash, null);
    }

    /**
     * As {@link #pick(long)}, but never {@code avoid} while another endpoint is selectable (a retry after a failed
     * try): a policy such as least_request would otherwise pick the endpoint that just refused the connection, since
     * it holds no requests.
     */
    UpstreamEndpoint pick(long hash, UpstreamEndpoint avoid) {
        Selection s = cluster.selection();
        if (s != seen) {
            UpstreamEndpoint[] endpoints = s.endpoints;
            RequestCounts counts = i -> endpoints[i].activeRequests();
            lb = LoadBalancer.create(policy, s.keys, s.weights, counts, random);
            if (boundedLoad > 0) {
                lb = LoadBalancer.boundedLoad(lb, s.weights, counts, boundedLoad);
            }
            seen = s;
        }
        int i = lb.pick(hash);
        if (i < 0) {
            return null;
        }
        int n = s.endpoints.length;
        if (s.endpoints[i] == avoid && n > 1) {
            i = (i + 1 + random.nextInt(n - 1)) % n;
        }
        return s.endpoints[i];
    }

    /** A random hash for requests that lack their route's hash key. */
    long randomHash() {
        return random.nextLong();
    }
}
