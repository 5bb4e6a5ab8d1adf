package io.portcullis.ratelimit;

/**
 * One rate-limit verdict, unpacked for the filter that answers 429 or sets the rate-limit headers. The local hot path
 * does not build one: {@link LocalRateLimiter#acquire} returns a decision word (see {@link Limit}) and
 * {@link #isAllowed(long)} reads it; this record is for the shared engines, whose answers arrive asynchronously
 * anyway, and for the occasional caller that wants every field at once.
 *
 * @param allowed whether the request may proceed (after {@code delayNanos})
 * @param limit the limit's size: the burst, or the leaky bucket's queue places; {@link #UNKNOWN} if no limit state
 *     was consulted
 * @param remaining permits of cost 1 still admissible right now, or {@link #UNKNOWN}
 * @param resetNanos time until the key is back to empty (bucket full, queue drained), or {@link #UNKNOWN}
 * @param retryAfterNanos for a refusal, when the same request would be admitted; 0 for an admission
 * @param delayNanos for a leaky bucket admission, how long to hold the request before it proceeds; else 0
 * @param basis what decided: the limit's state, or a fallback because Redis did not answer
 */
public record Decision(boolean allowed, long limit, long remaining, long resetNanos, long retryAfterNanos,
        long delayNanos, Basis basis) {

    /** Stands in for a figure the deciding engine could not know (a fail-open or fail-closed answer). */
    public static final long UNKNOWN = -1;

    /**
     * What a verdict was based on, for the access log and metrics (STYLE habit 11): the limit's own state, or which
     * fallback answered because the shared state was out of reach.
     */
    public enum Basis {
        /** This instance's own limit (local mode). */
        LOCAL,
        /** The limit shared through Redis, decided by one atomic script. */
        SHARED,
        /** Tokens this instance leased from the shared limit (batched mode). */
        LEASED,
        /** Redis did not answer in time; the limit lets requests through. */
        FAIL_OPEN,
        /** Redis did not answer in time; the limit refuses requests. */
        FAIL_CLOSED,
        /** Redis is unavailable; this instance enforces its share (limit ÷ known instances) locally. */
        FALLBACK_LOCAL
    }

    /** Reads a decision word without unpacking it: the local hot path's allocation-free check. */
    public static boolean isAllowed(long word) {
        return word >= 0;
    }

    /** Unpacks a decision word of {@code limit} for a request of {@code cost}. */
    public static Decision of(Limit limit, long word, int cost, Basis basis) {
        return new Decision(word >= 0, limit.size(), limit.remaining(word), limit.resetNanos(word),
                limit.retryAfterNanos(word, cost), limit.delayNanos(word, cost), basis);
    }

    /** The fail-open answer of a limit: admitted, with nothing known about the limit's state. */
    public static Decision failOpen(Limit limit) {
        return new Decision(true, limit.size(), UNKNOWN, UNKNOWN, 0, 0, Basis.FAIL_OPEN);
    }

    /** The fail-closed answer: refused, come back after {@code retryAfterNanos}. */
    public static Decision failClosed(Limit limit, long retryAfterNanos) {
        return new Decision(false, limit.size(), UNKNOWN, UNKNOWN, retryAfterNanos, 0, Basis.FAIL_CLOSED);
    }
}
