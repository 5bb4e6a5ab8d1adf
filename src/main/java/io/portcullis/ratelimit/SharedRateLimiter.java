package io.portcullis.ratelimit;

import java.util.concurrent.CompletionStage;

/**
 * One limit shared by all gateway instances (shared mode). Called by the rate-limit filter on an event loop, once
 * per request, before the request is routed upstream; the answer arrives later, so the filter suspends the exchange
 * until the stage completes.
 *
 * <p>Implementations never block the caller and always complete the stage, within their configured timeout plus
 * scheduling slack, with a decision from the shared state or from their fallback ({@link Decision#basis()} says
 * which); the stage never completes exceptionally. It completes on a client I/O or timer thread, not on the
 * caller's event loop: the filter hops back with {@code ctx.executor()} before touching the exchange.
 */
public interface SharedRateLimiter {
    /**
     * Decides a request of {@code cost} permits for {@code key}.
     *
     * @throws IllegalArgumentException at once if {@code cost} is outside {@code [1, limit.maxCost()]}
     */
    CompletionStage<Decision> decide(String key, int cost);
}
