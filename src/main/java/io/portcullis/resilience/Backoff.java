package io.portcullis.resilience;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Delay before a retry: exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And
 * Jitter"). Retry {@code k} waits a uniform random time in {@code [0, min(max, base * 2^(k-1))]}. Sits between a failed
 * upstream attempt and the next one, after {@link RetryBudget} has allowed the retry.
 *
 * <p>Full jitter rather than "base plus a little noise": when many clients fail at once, spreading their retries
 * over the whole interval is what stops them arriving at the backend together again. Immutable; the random source
 * is passed per call so each event loop can use its own without sharing state.
 */
public final class Backoff {
    private static final Duration MAX_NANOS = Duration.ofNanos(Long.MAX_VALUE);

    private final long baseNanos;
    private final long maxNanos;

    public Backoff(Duration base, Duration max) {
        Objects.requireNonNull(base, "base must not be null");
        Objects.requireNonNull(max, "max must not be null");
        if (!base.isPositive()) {
            throw new IllegalArgumentException("base must be > 0, was " + base);
        }
        if (max.compareTo(base) < 0) {
            throw new IllegalArgumentException("max must be >= base (" + base + "), was " + max);
        }
        if (max.compareTo(MAX_NANOS) > 0) {
            throw new IllegalArgumentException("max must be <= " + MAX_NANOS + ", was " + max);
        }
        this.baseNanos = base.toNanos();
        this.maxNanos = max.toNanos();
    }

    /**
     * @param retry 1 for the first retry (the second attempt), 2 for the next, and so on
     * @return nanoseconds to wait, uniform in {@code [0, min(max, base * 2^(retry-1))]}
     */
    public long delayNanos(int retry, RandomGenerator random) {
        if (retry < 1) {
            throw new IllegalArgumentException("retry must be >= 1, was " + retry);
        }
        long cap = cap(retry);
        // nextLong(bound) excludes the bound; the top bit cleared from a full draw covers [0, Long.MAX_VALUE].
        return cap < Long.MAX_VALUE ? random.nextLong(cap + 1) : random.nextLong() >>> 1;
    }

    /** {@code min(max, base << (retry - 1))}, without overflowing for large retry numbers. */
    long cap(int retry) {
        int shift = retry - 1;
        if (shift >= Long.SIZE - 1 || baseNanos > maxNanos >> shift) {
            return maxNanos;
        }
        return baseNanos << shift;
    }
}
