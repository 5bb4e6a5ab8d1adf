package io.portcullis.server;

import io.portcullis.config.ClusterConfig;
import io.portcullis.config.GatewayConfig;
import io.portcullis.config.RouteConfig;
import io.portcullis.observe.ClusterMetrics;
import io.portcullis.observe.GatewayMetrics;
import io.portcullis.observe.RouteMetrics;
import io.portcullis.route.Route;
import io.portcullis.route.Router;
import io.portcullis.upstream.Cluster;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;

/**
 * Everything a request needs from configuration, built once off the event loop and published atomically. Each
 * request captures the snapshot current at its arrival and finishes on it, even if a reload swaps in another.
 *
 * @param meters per route name, the meters its exchanges record into (created with the snapshot, so the request
 *     path only looks them up)
 */
record Snapshot(GatewayConfig config, Router router, Map<String, Cluster> clusters, Map<String, Meters> meters) {

    /** The meters of one route: its own, and its cluster's. */
    record Meters(RouteMetrics route, ClusterMetrics cluster) {
    }

    /**
     * @param previous the snapshot being replaced, whose clusters hand their endpoints' health to the clusters of
     *     the same name, or null
     */
    static Snapshot build(GatewayConfig config, Snapshot previous, GatewayMetrics metrics)
            throws UnknownHostException {
        Map<String, Cluster> clusters = new HashMap<>();
        for (ClusterConfig c : config.clusters()) {
            clusters.put(c.name(), Cluster.resolve(c, previous == null ? null : previous.clusters().get(c.name())));
        }
        Map<String, Meters> meters = new HashMap<>();
        for (RouteConfig r : config.routes()) {
            meters.put(r.name(), new Meters(metrics.route(r.name(), r.cluster()), metrics.cluster(r.cluster())));
        }
        return new Snapshot(config, Router.of(config.routes()), Map.copyOf(clusters), Map.copyOf(meters));
    }

    Meters meters(Route route) {
        return meters.get(route.name());
    }
}
