package io.portcullis.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses configuration sizes in bytes: a bare integer, or an integer with {@code B}, {@code KiB}, {@code MiB},
 * {@code GiB} (powers of 1024) or {@code KB}, {@code MB}, {@code GB} (powers of 1000).
 *
 * <p>Used by {@link ConfigLoader}'s semantic checks and binder for listener limits and route body limits; callers
 * turn the {@link IllegalArgumentException} into a located {@link ConfigError}.
 */
public final class Sizes {

    private static final Pattern FORMAT = Pattern.compile("([0-9]+)(B|KiB|MiB|GiB|KB|MB|GB)");

    private Sizes() {
    }

    /**
     * @return the size in bytes
     * @throws IllegalArgumentException naming the expected format when {@code text} is not a size or overflows a
     *                                  long
     */
    public static long parse(String text) {
        Matcher m = FORMAT.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "expected a size such as 512, 8KiB, 10MiB, 1GiB (or KB, MB, GB for powers of 1000), was '"
                            + text + "'");
        }
        long unit = switch (m.group(2)) {
            case "B" -> 1;
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            case "GiB" -> 1L << 30;
            case "KB" -> 1_000;
            case "MB" -> 1_000_000;
            default -> 1_000_000_000;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("size '" + text + "' is too large", e);
        }
    }
}
