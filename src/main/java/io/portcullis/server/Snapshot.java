package io.portcullis.server;

import io.portcullis.config.ClusterConfig;
import io.portcullis.config.GatewayConfig;
import io.portcullis.route.Router;
import io.portcullis.upstream.Cluster;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;

/**
 * Everything a request needs from configuration, built once off the event loop and published atomically. Each
 * request captures the snapshot current at its arrival and finishes on it, even if a reload swaps in another.
 */
record Snapshot(GatewayConfig config, Router router, Map<String, Cluster> clusters) {

    static Snapshot build(GatewayConfig config) throws UnknownHostException {
        Map<String, Cluster> clusters = new HashMap<>();
        for (ClusterConfig c : config.clusters()) {
            clusters.put(c.name(), Cluster.resolve(c));
        }
        return new Snapshot(config, Router.of(config.routes()), Map.copyOf(clusters));
    }
}
