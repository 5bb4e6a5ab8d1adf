package io.portcullis.upstream.lb;

/**
 * Requests in flight per endpoint index, as {@link Policy#LEAST_REQUEST} reads them. {@link ActiveRequests} is the
 * array-backed implementation; a cluster may instead read counters its endpoints own, so that the counts survive
 * the picker being rebuilt over a different subset of endpoints (health changes).
 */
@FunctionalInterface
public interface RequestCounts {
    /** Requests in flight to endpoint {@code i}; may be stale by the time it is used. */
    int get(int i);
}
