package io.portcullis.upstream;

/**
 * No pooled connection for the request: every connection an event loop may open to the endpoint
 * ({@code pool.max_connections}) stayed lent out for the whole wait, or the cluster already had {@code
 * limits.max_pending} requests waiting. The exchange answers 503. Expected under overload, so no stack trace.
 */
public final class PoolExhaustedException extends Exception {
    PoolExhaustedException(UpstreamEndpoint endpoint, int maxConnections, long waitMillis) {
        super("all " + maxConnections + " connections to " + endpoint + " busy for " + waitMillis + "ms", null,
                false, false);
    }

    /** The cluster already has {@code maxPending} requests waiting for a connection. */
    PoolExhaustedException(UpstreamEndpoint endpoint, int maxPending) {
        super("cluster " + endpoint.cluster().name() + " already has " + maxPending
                + " requests waiting for a connection", null, false, false);
    }
}
