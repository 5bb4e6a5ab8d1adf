package io.portcullis.server;

import com.github.benmanes.caffeine.cache.Ticker;
import io.portcullis.config.ClusterConfig;
import io.portcullis.config.GatewayConfig;
import io.portcullis.config.ListenerConfig;
import io.portcullis.config.RouteConfig;
import io.portcullis.filter.Filter;
import io.portcullis.observe.ClusterMetrics;
import io.portcullis.observe.GatewayMetrics;
import io.portcullis.observe.RouteMetrics;
import io.portcullis.ratelimit.RateLimitRuntime;
import io.portcullis.ratelimit.anomaly.AnomalyDetector;
import io.portcullis.ratelimit.overload.PriorityAdmission;
import io.portcullis.resilience.Breakers;
import io.portcullis.resilience.CircuitBreaker;
import io.portcullis.resilience.ResponseCache;
import io.portcullis.route.Route;
import io.portcullis.route.Router;
import io.portcullis.security.SecurityRuntime;
import io.portcullis.security.TrafficFilters;
import io.portcullis.security.ip.IpSet;
import io.portcullis.upstream.Cluster;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Everything a request needs from configuration, built once off the event loop and published atomically. Each
 * request captures the snapshot current at its arrival and finishes on it, even if a reload swaps in another.
 *
 * @param runtimes per route name, what its exchanges share: meters, its own circuit breaker and its fallback
 *     cache (created with the snapshot, so the request path only looks them up)
 */
record Snapshot(GatewayConfig config, Router router, Map<String, Cluster> clusters,
        Map<String, RouteRuntime> runtimes, SecurityRuntime security, RateLimitRuntime rateLimits) {

    /**
     * The run-time parts of one route: its meters and its cluster's, its own circuit breaker (or null: the
     * cluster's applies) and the response cache of a {@code fallback.cache} (or null).
     */
    record RouteRuntime(RouteMetrics route, ClusterMetrics cluster, CircuitBreaker breaker, ResponseCache cache,
            Map<String, List<Filter>> filtersByListener) {

        /** The route's filters for requests that came through {@code listener}: its policy starts from the route's. */
        List<Filter> filters(String listener) {
            List<Filter> filters = filtersByListener.get(listener);
            return filters != null ? filters : List.of();
        }
    }

    /**
     * @param previous the snapshot being replaced, whose clusters hand their endpoints' health to the clusters of
     *     the same name, or null
     */
    static Snapshot build(GatewayConfig config, Snapshot previous, GatewayMetrics metrics,
            ScheduledExecutorService scheduler, AnomalyDetector anomaly, PriorityAdmission admission)
            throws IOException {
        Map<String, Cluster> clusters = new HashMap<>();
        for (ClusterConfig c : config.clusters()) {
            clusters.put(c.name(), Cluster.resolve(c, previous == null ? null : previous.clusters().get(c.name())));
        }
        // Last: it may start key fetches and file watches, and nothing after it fails.
        SecurityRuntime security = SecurityRuntime.build(config, previous == null ? null : previous.security(),
                metrics, scheduler);
        RateLimitRuntime rateLimits = RateLimitRuntime.build(config, previous == null ? null : previous.rateLimits());
        Map<String, RouteRuntime> runtimes = new HashMap<>();
        for (RouteConfig r : config.routes()) {
            CircuitBreaker breaker = null;
            if (r.breaker() != null) {
                String name = "route " + r.name();
                breaker = Breakers.create(name, r.breaker(), (b, from, to, reason) ->
                        metrics.breakerTransition(name, to.name().toLowerCase(Locale.ROOT)));
                CircuitBreaker registered = breaker;
                metrics.breaker(name, () -> registered.state().ordinal());
            }
            RouteConfig.Fallback.Cache c = r.fallback() == null ? null : r.fallback().cache();
            ResponseCache cache = c == null ? null
                    : new ResponseCache(c.maxBytes(), c.ttl(), c.maxEntryBytes(), Ticker.systemTicker());
            Map<String, List<Filter>> filters = new HashMap<>();
            for (ListenerConfig listener : config.listeners()) {
                boolean detecting = anomaly != AnomalyDetector.NONE;
                filters.put(listener.name(), security.filters(r, listener, new TrafficFilters(
                        detecting ? RateLimitRuntime.anomalyFilter(anomaly, r.name()) : null,
                        detecting ? RateLimitRuntime.consumerAnomalyFilter(anomaly) : null,
                        rateLimits.filter(r, listener),
                        RateLimitRuntime.admissionFilter(admission, config.overload(), r))));
            }
            runtimes.put(r.name(), new RouteRuntime(metrics.route(r.name(), r.cluster()), metrics.cluster(r.cluster()),
                    breaker, cache, Map.copyOf(filters)));
        }
        return new Snapshot(config, Router.of(config.routes()), Map.copyOf(clusters), Map.copyOf(runtimes), security, rateLimits);
    }

    /** Proxies whose forwarding headers name the client on {@code listener}, or null when none are trusted. */
    IpSet trustedProxies(String listener) {
        return security.trustedProxies(listener);
    }

    RouteRuntime runtime(Route route) {
        return runtimes.get(route.name());
    }
}
