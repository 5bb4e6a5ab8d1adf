package io.portcullis.ratelimit.anomaly;

import java.time.Duration;
import java.util.Objects;

/**
 * What one rule does when it fires: the kind of action, how long it lasts, and for throttles the lowest rate they
 * allow. A throttle lets a key through at its own learned normal rate (the baseline from before the anomaly), but
 * never below {@code throttleFloorPerSecond}, so a key flagged right after it appeared is not starved.
 */
public record RuleResponse(ActionType action, Duration duration, double throttleFloorPerSecond) {
    /** Long enough for any sensible action, small enough that its nanoseconds never overflow a clock reading. */
    static final Duration MAX_DURATION = Duration.ofDays(7);

    public RuleResponse {
        Objects.requireNonNull(action, "action must not be null");
        Objects.requireNonNull(duration, "duration must not be null");
        if (duration.isNegative() || duration.isZero() || duration.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException("duration must be in (0, " + MAX_DURATION + "], was " + duration);
        }
        RuleChecks.positive("throttleFloorPerSecond", throttleFloorPerSecond);
    }
}
