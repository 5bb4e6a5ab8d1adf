package io.portcullis.resilience;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many retries a cluster may have in flight (Envoy's retry budget): at most
 * {@code max(minRetries, ratio * activeRequests)}. Consulted on the proxy path after an attempt failed and before
 * {@link Backoff} schedules the retry; one instance is shared by all event loops of a cluster.
 *
 * <p>A budget proportional to load, instead of a fixed number of retries per request, is what keeps retries from
 * multiplying the traffic of an already failing backend; the floor lets a quiet cluster still retry at all.
 *
 * <p>Lock-free: admission is a compare-and-set loop on one counter, so concurrent callers can never push the
 * retries in flight past the budget they observed.
 */
public final class RetryBudget {
    /**
     * Absorbs binary representation error in {@code ratio * activeRequests} (0.29 * 100 is 28.999999999999996), so a
     * budget that is a whole number on paper is not truncated to one less.
     */
    private static final double EPSILON = 1e-9;

    private final double ratio;
    private final int minRetries;
    private final AtomicInteger inFlight = new AtomicInteger();

    public RetryBudget(double ratio, int minRetries) {
        if (!(ratio >= 0 && ratio <= 1)) {
            throw new IllegalArgumentException("ratio must be in [0, 1], was " + ratio);
        }
        if (minRetries < 0) {
            throw new IllegalArgumentException("min_retries must be >= 0, was " + minRetries);
        }
        this.ratio = ratio;
        this.minRetries = minRetries;
    }

    /**
     * @param activeRequests requests the cluster has in flight now, retries included
     * @return true if the caller may retry; it must then call {@link #release} exactly once when the retry finishes
     */
    public boolean tryAcquire(int activeRequests) {
        int budget = budget(activeRequests);
        for (;;) {
            int now = inFlight.get();
            if (now >= budget) {
                return false;
            }
            if (inFlight.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    public void release() {
        for (;;) {
            int now = inFlight.get();
            assert now > 0 : "release without tryAcquire";
            // A stray release must not go below zero: that would hand out retries beyond the budget later.
            if (now <= 0 || inFlight.compareAndSet(now, now - 1)) {
                return;
            }
        }
    }

    public int retriesInFlight() {
        return inFlight.get();
    }

    int budget(int activeRequests) {
        return (int) Math.max(minRetries, (long) (ratio * Math.max(0, activeRequests) + EPSILON));
    }
}
