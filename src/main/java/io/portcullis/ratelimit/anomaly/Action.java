package io.portcullis.ratelimit.anomaly;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What {@link AnomalyDetector#check} tells the request path to do: nothing ({@link #NONE}, the common case, shared),
 * throttle or block. One instance exists per enforced {@link AnomalyAction} and is handed out as is, so checking
 * allocates nothing.
 *
 * <p>A throttle carries its own limiter (GCRA on one {@link AtomicLong}: one CAS per admitted request, no lock),
 * allowing {@code limitPerSecond} with a burst of one second's worth, shared by all event loops.
 */
public final class Action {
    public enum Kind {
        NONE,
        THROTTLE,
        BLOCK
    }

    public static final Action NONE = new Action(Kind.NONE, null, Long.MAX_VALUE);

    private final Kind kind;
    private final AnomalyAction cause;
    private final long expiresAtNanos;
    private final long intervalNanos;
    private final long toleranceNanos;
    /** GCRA's theoretical arrival time of the next request; only throttles use it. */
    private final AtomicLong nextArrival = new AtomicLong(Long.MIN_VALUE);

    private Action(Kind kind, AnomalyAction cause, long expiresAtNanos) {
        this.kind = kind;
        this.cause = cause;
        this.expiresAtNanos = expiresAtNanos;
        if (kind == Kind.THROTTLE) {
            double limit = cause.limitPerSecond();
            this.intervalNanos = Math.max(1, (long) (1e9 / limit));
            this.toleranceNanos = (long) (Math.max(0, Math.ceil(limit) - 1) * intervalNanos);
        } else {
            this.intervalNanos = 0;
            this.toleranceNanos = 0;
        }
    }

    /** The enforcement of {@code cause}, or null for a {@link ActionType#SHADOW} action, which enforces nothing. */
    static Action enforcing(AnomalyAction cause, long expiresAtNanos) {
        return switch (cause.action()) {
            case SHADOW -> null;
            case THROTTLE -> new Action(Kind.THROTTLE, cause, expiresAtNanos);
            case BLOCK -> new Action(Kind.BLOCK, cause, expiresAtNanos);
        };
    }

    public Kind kind() {
        return kind;
    }

    /**
     * Whether this request may pass: always for {@link #NONE}, never for a block, at {@code limitPerSecond} for a
     * throttle. {@code nowNanos} comes from any monotonic clock, as long as it is always the same one.
     */
    public boolean admit(long nowNanos) {
        return switch (kind) {
            case NONE -> true;
            case BLOCK -> false;
            case THROTTLE -> acquire(nowNanos);
        };
    }

    /** The finding behind this action; the request path reads it only to reject (id and rule for the log). */
    public AnomalyAction cause() {
        if (cause == null) {
            throw new IllegalStateException("Action.NONE has no cause");
        }
        return cause;
    }

    /** When the action ends, on the detector's nano clock; for a block's Retry-After. */
    public long expiresAtNanos() {
        return expiresAtNanos;
    }

    /** Blocks beat throttles, and a slower throttle beats a faster one; {@link #NONE} loses to everything. */
    boolean strongerThan(Action other) {
        if (kind != other.kind) {
            return kind.ordinal() > other.kind.ordinal();
        }
        return kind == Kind.THROTTLE && cause.limitPerSecond() < other.cause.limitPerSecond();
    }

    private boolean acquire(long now) {
        while (true) {
            long next = nextArrival.get();
            long start = next == Long.MIN_VALUE || next - now < 0 ? now : next;
            if (start - now > toleranceNanos) {
                return false;
            }
            if (nextArrival.compareAndSet(next, start + intervalNanos)) {
                return true;
            }
        }
    }

    @Override
    public String toString() {
        return kind == Kind.NONE ? "Action.NONE" : "Action[" + kind + " " + cause.id() + "]";
    }
}
