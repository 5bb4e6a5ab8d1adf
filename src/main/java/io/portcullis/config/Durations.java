package io.portcullis.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses configuration durations: {@code 250ms}, {@code 15s}, {@code 2m}, {@code 1h}, or a bare integer number of
 * milliseconds.
 *
 * <p>Used by {@link ConfigLoader}'s semantic checks and binder; callers turn the {@link IllegalArgumentException}
 * into a located {@link ConfigError}.
 */
public final class Durations {

    private static final Pattern FORMAT = Pattern.compile("([0-9]+)(ms|s|m|h)");

    private Durations() {
    }

    /**
     * @throws IllegalArgumentException naming the expected format when {@code text} is not a duration, or it does
     *                                  not fit in a {@link Duration}
     */
    public static Duration parse(String text) {
        Matcher m = FORMAT.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "expected a duration such as 250ms, 15s, 2m, 1h or an integer number of milliseconds, was '"
                            + text + "'");
        }
        try {
            long amount = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("duration '" + text + "' is too large", e);
        }
    }

    /** A bare integer is milliseconds. */
    public static Duration ofMillis(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("duration must be >= 0 ms, was " + millis);
        }
        return Duration.ofMillis(millis);
    }
}
