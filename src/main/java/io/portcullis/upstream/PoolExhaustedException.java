package io.portcullis.upstream;

/**
 * Every connection an event loop may open to an endpoint ({@code pool.max_connections}) stayed lent out for the
 * whole wait; the exchange answers 503. Expected under overload, so it carries no stack trace.
 */
public final class PoolExhaustedException extends Exception {
    PoolExhaustedException(UpstreamEndpoint endpoint, int maxConnections, long waitMillis) {
        super("all " + maxConnections + " connections to " + endpoint + " busy for " + waitMillis + "ms", null,
                false, false);
    }
}
