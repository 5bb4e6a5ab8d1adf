package io.portcullis.ratelimit.anomaly;

import java.time.Duration;
import java.util.Objects;

/** Validation shared by the rule records, with messages that name the field. */
final class RuleChecks {
    /** History of good and bad seconds is kept as bits of an int. */
    static final int MAX_HISTORY_SECONDS = 30;
    /** Per-second windows are rings of this many slots at most. */
    static final int MAX_WINDOW_SECONDS = 60;

    private RuleChecks() {
    }

    static void positive(String field, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(field + " must be finite and > 0, was " + value);
        }
    }

    static void share(String field, double value) {
        if (!(value > 0 && value <= 1)) {
            throw new IllegalArgumentException(field + " must be in (0, 1], was " + value);
        }
    }

    static void atLeastOne(String field, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(field + " must be >= 1, was " + value);
        }
    }

    static void window(String field, int seconds) {
        if (seconds < 1 || seconds > MAX_WINDOW_SECONDS) {
            throw new IllegalArgumentException(field + " must be in [1, " + MAX_WINDOW_SECONDS + "], was " + seconds);
        }
    }

    /** {@code bad} of the last {@code of} seconds. */
    static void history(String badField, int bad, String ofField, int of) {
        if (of < 1 || of > MAX_HISTORY_SECONDS) {
            throw new IllegalArgumentException(ofField + " must be in [1, " + MAX_HISTORY_SECONDS + "], was " + of);
        }
        if (bad < 1 || bad > of) {
            throw new IllegalArgumentException(badField + " must be in [1, " + ofField + " = " + of + "], was " + bad);
        }
    }

    static void timeConstant(String field, Duration value) {
        Objects.requireNonNull(value, field + " must not be null");
        if (value.compareTo(Duration.ofSeconds(1)) < 0 || value.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException(field + " must be in [1s, 1d], was " + value);
        }
    }

    static void response(RuleResponse response) {
        Objects.requireNonNull(response, "response must not be null");
    }
}
