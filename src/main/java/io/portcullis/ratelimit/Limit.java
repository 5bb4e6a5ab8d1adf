package io.portcullis.ratelimit;

import java.time.Duration;
import java.util.Objects;

/**
 * What one rate limit allows, and the arithmetic that decides a request against it. Every engine in this package
 * (the local one, the Redis script, the lease script) runs this same arithmetic, so a limit behaves the same in
 * local and shared mode.
 *
 * <h2>One number per key</h2>
 * Both algorithms are the generic cell rate algorithm (GCRA). A key's whole state is its <em>backlog</em>: how far
 * ahead of now the key's "theoretical arrival time" runs, in nanoseconds. Each admitted permit adds one emission
 * interval {@code T = period / permits} to it, and it drains by itself at one nanosecond per nanosecond. A request
 * of {@code cost} permits finding backlog {@code b} is admitted iff {@code b <= threshold(cost)}, and then the
 * backlog becomes {@code b + cost * T}:
 * <ul>
 *   <li>token bucket ({@code permits} per {@code period}, {@code burst}): threshold is {@code burst * T - cost * T},
 *       i.e. the bucket holds {@code cost} tokens. Exactly {@code burst + rate * elapsed} permits (within one)
 *       are admitted by any stretch of continuous demand.</li>
 *   <li>leaky bucket ({@code permits} per {@code period}, {@code maxDelay}): requests drain at a fixed rate through a
 *       queue; a request starts after the backlog it found, so its delay is {@code b}, and threshold is
 *       {@code maxDelay}. Admitted requests are spaced exactly {@code T} apart.</li>
 * </ul>
 * Because the state is a single number that only ever grows by a compare-and-set (local) or inside one Lua script
 * (Redis), decisions are exact under concurrency; the drift of the counter-based limiters in Kong, APISIX and Spring
 * Cloud Gateway comes from separate read and write steps that this design does not have.
 *
 * <h2>Decision words</h2>
 * {@link #decide} returns a {@code long}, so the local hot path allocates nothing: {@code >= 0} means admitted
 * and is the backlog after this request; {@code < 0} means refused and is {@code ~backlog} (the backlog found).
 * Everything a response header needs follows from it: {@link #remaining}, {@link #resetNanos},
 * {@link #retryAfterNanos}, {@link #delayNanos}; {@link Decision#of} unpacks all of them at once.
 *
 * <p>{@code T} is rounded to whole nanoseconds (relative error below 1e-6 for any rate up to 1000 per millisecond).
 */
public final class Limit {
    /** Which GCRA variant a limit runs; chosen per limit in config. */
    public enum Algorithm { TOKEN_BUCKET, LEAKY_BUCKET }

    /** Keeps every backlog far from overflow, so additions need no checks on the hot path. */
    private static final long MAX_CAPACITY_NANOS = Long.MAX_VALUE / 4;

    private final Algorithm algorithm;
    private final long permits;
    private final Duration period;
    private final long burst;
    private final Duration maxDelay;
    private final long intervalNanos;
    private final long capacityNanos;
    private final int maxCost;

    private Limit(Algorithm algorithm, long permits, Duration period, long burst, Duration maxDelay) {
        this.algorithm = algorithm;
        this.permits = permits;
        this.period = period;
        this.burst = burst;
        this.maxDelay = maxDelay;
        this.intervalNanos = Math.max(1, Math.round((double) period.toNanos() / permits));
        long queued = algorithm == Algorithm.TOKEN_BUCKET ? burst : maxDelay.toNanos() / intervalNanos + 1;
        if (queued > MAX_CAPACITY_NANOS / intervalNanos) {
            throw new IllegalArgumentException((algorithm == Algorithm.TOKEN_BUCKET ? "burst" : "max_delay")
                    + " is too large for " + permits + " per " + period);
        }
        this.capacityNanos = algorithm == Algorithm.TOKEN_BUCKET
                ? burst * intervalNanos
                : maxDelay.toNanos() + intervalNanos; // exact: a request waiting up to maxDelay, not a whole T less
        this.maxCost = (int) Math.min(queued, Integer.MAX_VALUE);
    }

    /** {@code permits} per {@code period} on average, at most {@code burst} at once after an idle spell. */
    public static Limit tokenBucket(long permits, Duration period, long burst) {
        checkRate(permits, period);
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be >= 1, was " + burst);
        }
        return new Limit(Algorithm.TOKEN_BUCKET, permits, period, burst, Duration.ZERO);
    }

    /**
     * Requests proceed at exactly {@code permits} per {@code period}, each waiting its turn up to {@code maxDelay};
     * one that would wait longer is refused. {@code maxDelay} zero refuses whatever does not fit the rate.
     */
    public static Limit leakyBucket(long permits, Duration period, Duration maxDelay) {
        checkRate(permits, period);
        Objects.requireNonNull(maxDelay, "max_delay must not be null");
        if (maxDelay.isNegative() || maxDelay.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("max_delay must be in [0, 1d], was " + maxDelay);
        }
        return new Limit(Algorithm.LEAKY_BUCKET, permits, period, 0, maxDelay);
    }

    private static void checkRate(long permits, Duration period) {
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be >= 1, was " + permits);
        }
        Objects.requireNonNull(period, "period must not be null");
        if (!period.isPositive() || period.compareTo(Duration.ofDays(365)) > 0) {
            throw new IllegalArgumentException("period must be in (0, 365d], was " + period);
        }
    }

    /**
     * This limit shared out over {@code instances} gateways, for the local fallback when Redis is away: the rate
     * divided exactly, the burst rounded down (at least 1) so the instances together never exceed the whole, the
     * maximum delay unchanged (so each instance's queue holds fewer requests).
     */
    public Limit dividedBy(int instances) {
        if (instances < 1) {
            throw new IllegalArgumentException("instances must be >= 1, was " + instances);
        }
        if (instances == 1) {
            return this;
        }
        Duration slower = period.multipliedBy(instances);
        return algorithm == Algorithm.TOKEN_BUCKET
                ? tokenBucket(permits, slower, Math.max(1, burst / instances))
                : leakyBucket(permits, slower, maxDelay);
    }

    /** Fails fast on a programmer error: a cost this limit could never admit, or none at all. */
    public void checkCost(int cost) {
        if (cost < 1 || cost > maxCost) {
            throw new IllegalArgumentException("cost must be in [1, " + maxCost + "] for " + this + ", was " + cost);
        }
    }

    /** The decision word for a request of {@code cost} finding {@code backlogNanos} (>= 0); see the class doc. */
    public long decide(long backlogNanos, int cost) {
        return backlogNanos <= thresholdNanos(cost) ? backlogNanos + incrementNanos(cost) : ~backlogNanos;
    }

    /** How much a request of {@code cost} adds to the backlog. */
    public long incrementNanos(int cost) {
        return cost * intervalNanos;
    }

    /** The largest backlog a request of {@code cost} may find and still be admitted. */
    public long thresholdNanos(int cost) {
        return algorithm == Algorithm.TOKEN_BUCKET ? capacityNanos - incrementNanos(cost) : capacityNanos - intervalNanos;
    }

    /**
     * The largest backlog any admission can leave. A key untouched for this long is back to empty, so state idle
     * that long can be dropped without changing any decision.
     */
    public long maxBacklogNanos() {
        return thresholdNanos(maxCost) + incrementNanos(maxCost);
    }

    /** Permits of cost 1 still admissible right after this decision (for a leaky bucket: free queue places). */
    public long remaining(long word) {
        return Math.max(0, (capacityNanos - backlog(word)) / intervalNanos);
    }

    /** Time until the key is back to empty: the bucket full again, or the queue drained. */
    public long resetNanos(long word) {
        return backlog(word);
    }

    /** For a refusal, how long until the same request would be admitted; 0 for an admission. */
    public long retryAfterNanos(long word, int cost) {
        return word >= 0 ? 0 : ~word - thresholdNanos(cost);
    }

    /** For an admission by a leaky bucket, how long the request waits before it may proceed; 0 otherwise. */
    public long delayNanos(long word, int cost) {
        return word >= 0 && algorithm == Algorithm.LEAKY_BUCKET ? word - incrementNanos(cost) : 0;
    }

    private static long backlog(long word) {
        return word >= 0 ? word : ~word;
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    /** The emission interval {@code T}: the time one permit occupies. */
    public long intervalNanos() {
        return intervalNanos;
    }

    /** {@code burst} for a token bucket; for a leaky bucket the queue places, {@code floor(maxDelay / T) + 1}. */
    public int maxCost() {
        return maxCost;
    }

    /** The figure a {@code limit} response header reports: the burst, or the leaky bucket's queue places. */
    public long size() {
        return maxCost;
    }

    public long permits() {
        return permits;
    }

    public Duration period() {
        return period;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Limit l && algorithm == l.algorithm && permits == l.permits && period.equals(l.period)
                && burst == l.burst && maxDelay.equals(l.maxDelay);
    }

    @Override
    public int hashCode() {
        return Objects.hash(algorithm, permits, period, burst, maxDelay);
    }

    @Override
    public String toString() {
        return algorithm == Algorithm.TOKEN_BUCKET
                ? "token bucket " + permits + "/" + period + " burst " + burst
                : "leaky bucket " + permits + "/" + period + " max delay " + maxDelay;
    }
}
