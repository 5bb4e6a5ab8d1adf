package io.portcullis.ratelimit.overload;

/**
 * How many requests the gateway lets run at once, and what it learns from each finished one. Read by
 * {@link PriorityAdmission} on every admission (so {@link #limit()} must be a plain volatile read) and fed by it on
 * every release; {@link AdaptiveLimit} learns the number from latency, {@link #fixed} never changes it (tests, and a
 * deployment that wants a hard cap without adaptation).
 */
public interface ConcurrencyLimit {

    /** Requests that may be in flight now; at least 1. */
    int limit();

    /**
     * One finished request.
     *
     * @param rttNanos time from admission to completion; must be {@code >= 0}
     * @param inFlight requests in flight when it finished (itself included), so the limit can tell a saturated
     *     gateway from an idle one
     * @param dropped true when it ended in a way that signals overload (upstream timeout, connect failure, 503 from
     *     the backend); a client error or a 404 is not a drop
     */
    void onSample(long rttNanos, int inFlight, boolean dropped);

    /** A limit that ignores samples. */
    static ConcurrencyLimit fixed(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        return new ConcurrencyLimit() {
            @Override
            public int limit() {
                return limit;
            }

            @Override
            public void onSample(long rttNanos, int inFlight, boolean dropped) {
                // a fixed limit learns nothing
            }

            @Override
            public String toString() {
                return "fixed(" + limit + ")";
            }
        };
    }
}
