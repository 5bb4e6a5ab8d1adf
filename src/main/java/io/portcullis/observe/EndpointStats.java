package io.portcullis.observe;

/**
 * Live state of one upstream endpoint, as the upstream layer (pools, health checks, load balancers) sees it,
 * published as gauges through {@link GatewayMetrics#endpoint}.
 *
 * <p>Read on the scrape thread, not on an event loop: implementations return values that are safe to read from
 * any thread (volatile fields, atomics, or sums over per-loop counters) and never block.
 */
public interface EndpointStats {
    /** Whether the endpoint currently takes traffic. */
    boolean healthy();

    /** Exchanges in flight to the endpoint, across all event loops. */
    int activeRequests();

    /** Open connections to the endpoint, busy or idle, across all event loops. */
    long openConnections();

    /** Of those, the ones idle in a pool. */
    long idleConnections();
}
