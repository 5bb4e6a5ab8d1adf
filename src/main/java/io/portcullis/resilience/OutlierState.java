package io.portcullis.resilience;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-endpoint passive health, fed by the proxy after each exchange (hot path: lock-free, allocation-free) through
 * {@link OutlierDetector#onResult}, and read by the cluster's endpoint selection through {@link #ejected()}.
 *
 * <p>One instance per endpoint for as long as the endpoint stays in its cluster, so that the ejection history
 * (which makes repeat offenders stay out longer) survives selection rebuilds. The counters are only ever
 * incremented or reset to zero, never decremented, so concurrent event loops cannot drive them negative.
 */
public final class OutlierState {
    static final int IN_SERVICE = 0;
    /** Claimed by one ejector, which is writing the ejection's time and length; counts against the ejection cap. */
    static final int EJECTING = 1;
    static final int EJECTED = 2;

    private static final long ONE_REQUEST = 1L << 32;
    private static final long LOW_32 = 0xffff_ffffL;

    private final AtomicInteger status = new AtomicInteger(IN_SERVICE);
    private final AtomicInteger consecutive5xx = new AtomicInteger();
    private final AtomicInteger consecutiveGatewayFailures = new AtomicInteger();
    /**
     * Requests in the current interval in the high 32 bits, successes in the low 32 bits: one word, so that the
     * sweep takes and resets both in one atomic step and never sees a success without its request.
     */
    private final AtomicLong interval = new AtomicLong();
    /** Envoy's ejection-time backoff: up by one per ejection (until the time reaches the max), down by one per
     *  interval spent in service, so an endpoint that recovered does not keep the long ejections it earned. */
    private final AtomicInteger ejectionMultiplier = new AtomicInteger();
    private volatile int ejections;
    // Written by the ejector between EJECTING and EJECTED; the volatile write of EJECTED publishes them.
    private long ejectedAtNanos;
    private long ejectionNanos;

    public OutlierState() {}

    /** True while ejected: the cluster should not pick this endpoint for new requests. One volatile read. */
    public boolean ejected() {
        return status.get() == EJECTED;
    }

    /** How many times this endpoint was ejected so far (for metrics and the admin view). */
    public int ejections() {
        return ejections;
    }

    int status() {
        return status.get();
    }

    void recordSuccess() {
        interval.getAndAdd(ONE_REQUEST + 1);
        consecutive5xx.set(0);
        consecutiveGatewayFailures.set(0);
    }

    void recordFailure() {
        interval.getAndAdd(ONE_REQUEST);
    }

    void resetGatewayFailures() {
        consecutiveGatewayFailures.set(0);
    }

    /** Counts a 5xx; true for exactly the one call that completes a streak of {@code threshold}. */
    boolean count5xx(int threshold) {
        return countTo(consecutive5xx, threshold);
    }

    /** Counts a gateway failure; true for exactly the one call that completes a streak of {@code threshold}. */
    boolean countGatewayFailure(int threshold) {
        return countTo(consecutiveGatewayFailures, threshold);
    }

    /**
     * Counts 1..threshold and wraps to 1, instead of resetting after a threshold: concurrent increments are never
     * lost, only one caller sees {@code threshold}, and a streak whose ejection the cap refused is tried again
     * after another {@code threshold} failures (as Envoy resets its counter once it has acted on a streak).
     */
    private static boolean countTo(AtomicInteger counter, int threshold) {
        while (true) {
            int current = counter.get();
            int next = current >= threshold ? 1 : current + 1;
            if (counter.compareAndSet(current, next)) {
                return next == threshold;
            }
        }
    }

    /** Takes this interval's counts and starts the next one: requests in the high 32 bits, successes in the low. */
    long takeInterval() {
        return interval.getAndSet(0);
    }

    static long requests(long intervalCounts) {
        return intervalCounts >>> 32;
    }

    static long successes(long intervalCounts) {
        return intervalCounts & LOW_32;
    }

    /** The only way into an ejection: one caller wins, whoever else tries (a second streak, the sweep) loses. */
    boolean claim() {
        return status.compareAndSet(IN_SERVICE, EJECTING);
    }

    /**
     * Completes a {@link #claim()}: raises the multiplier (while the ejection time is below the max) and publishes
     * the ejection.
     */
    void eject(long nowNanos, long baseNanos, long maxNanos) {
        assert status.get() == EJECTING : "eject without claim";
        // multiplier * base < max, phrased so that no product can overflow
        long stepsBelowMax = (maxNanos - 1) / baseNanos;
        int multiplier = ejectionMultiplier.get();
        if (multiplier <= stepsBelowMax) {
            multiplier = ejectionMultiplier.incrementAndGet();
        }
        ejectedAtNanos = nowNanos;
        ejectionNanos = multiplier > maxNanos / baseNanos ? maxNanos : multiplier * baseNanos;
        ejections++; // only the claimant writes, so no lost update
        status.set(EJECTED);
    }

    /** Whether an ejected endpoint has served its time; call only after reading {@link #EJECTED}. */
    boolean ejectionOver(long nowNanos) {
        return nowNanos - ejectedAtNanos >= ejectionNanos;
    }

    /** Back in service with a clean slate: nothing counted while it was out may count against it. */
    void uneject() {
        consecutive5xx.set(0);
        consecutiveGatewayFailures.set(0);
        interval.set(0);
        status.set(IN_SERVICE);
    }

    /** One interval passed in service: the next ejection is shorter by one base ejection time. */
    void decayMultiplier() {
        int m;
        do {
            m = ejectionMultiplier.get();
        } while (m > 0 && !ejectionMultiplier.compareAndSet(m, m - 1));
    }

    /** The length of the current or last ejection, for tests and the admin view. */
    long ejectionNanos() {
        return ejectionNanos;
    }

    @Override
    public String toString() {
        return "OutlierState[ejected=" + ejected() + ", ejections=" + ejections + "]";
    }
}
