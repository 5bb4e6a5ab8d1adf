package io.portcullis.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.admin.AdminModel;
import io.portcullis.admin.ConfigJson;
import io.portcullis.admin.Readiness;
import io.portcullis.config.ClusterConfig;
import io.portcullis.observe.GatewayMetrics;
import io.portcullis.upstream.Cluster;
import io.portcullis.upstream.UpstreamEndpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** What the admin listener shows of a running gateway: read from the current snapshot on each admin request. */
final class GatewayAdmin implements AdminModel {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final GatewayContext context;
    private final GatewayMetrics metrics;

    GatewayAdmin(GatewayContext context, GatewayMetrics metrics) {
        this.context = context;
        this.metrics = metrics;
    }

    /** Ready once listeners are bound (this model exists only then), until draining, while clusters can serve. */
    @Override
    public Readiness readiness() {
        List<String> reasons = new ArrayList<>();
        if (context.draining()) {
            reasons.add("draining");
        }
        for (Cluster cluster : sorted(context.snapshot().clusters()).values()) {
            if (!cluster.config().optional() && !cluster.hasHealthyEndpoint()) {
                reasons.add("cluster " + cluster.name() + " has no healthy endpoint");
            }
        }
        return new Readiness(reasons.isEmpty(), reasons);
    }

    @Override
    public JsonNode clusters() {
        ArrayNode clusters = JSON.arrayNode();
        for (Cluster cluster : sorted(context.snapshot().clusters()).values()) {
            ClusterConfig config = cluster.config();
            ObjectNode c = clusters.addObject();
            c.put("name", cluster.name());
            c.put("lb_policy", config.lbPolicy().name().toLowerCase(Locale.ROOT));
            c.put("health_check", !config.healthCheck().enabled() ? "none"
                    : config.healthCheck().http() == null ? "tcp" : "http");
            c.put("optional", config.optional());
            c.put("panic", cluster.panic());
            if (cluster.breaker() != null) {
                ObjectNode b = c.putObject("circuit_breaker");
                b.put("state", cluster.breaker().state().name().toLowerCase(Locale.ROOT));
                var stats = cluster.breaker().stats();
                b.put("calls", stats.calls());
                b.put("failure_rate", Double.isNaN(stats.failureRate()) ? null : stats.failureRate());
            }
            c.put("requests_in_flight", cluster.inFlight());
            ArrayNode endpoints = c.putArray("endpoints");
            for (UpstreamEndpoint e : cluster.endpoints()) {
                ObjectNode n = endpoints.addObject();
                n.put("address", e.configured().address());
                n.put("resolved", e.address().getAddress().getHostAddress() + ":" + e.address().getPort());
                n.put("weight", e.weight());
                n.put("priority", e.priority());
                n.put("healthy", e.healthy());
                n.put("ejected", e.ejected());
                n.put("active_requests", e.activeRequests());
                ObjectNode pool = n.putObject("connections");
                pool.put("open", e.openConnections());
                pool.put("idle", e.idleConnections());
            }
        }
        ObjectNode root = JSON.objectNode();
        root.set("clusters", clusters);
        return root;
    }

    @Override
    public JsonNode config() {
        return ConfigJson.redacted(context.snapshot().config());
    }

    @Override
    public String metrics() {
        return metrics.scrape();
    }

    @Override
    public String metricsContentType() {
        return metrics.contentType();
    }

    private static Map<String, Cluster> sorted(Map<String, Cluster> clusters) {
        return new TreeMap<>(clusters);
    }

    @Override
    public JsonNode anomalies() {
        return GatewayAnomalies.json(context.anomaly());
    }

    @Override
    public boolean liftAnomaly(String id) {
        return context.anomaly().lift(id).isPresent();
    }
}
