package io.portcullis.config;

import java.time.Duration;
import java.util.Objects;

/** The config of one route filter; each kind is a record here, built into a filter by {@code filter.Filters}. */
public sealed interface FilterConfig {

    /**
     * Fault injection: abort {@code abortPercent}% of requests with {@code abortStatus} (0 = never), and delay
     * {@code delayPercent}% by {@code delay}; with {@code header}, only requests carrying that header are touched.
     */
    record Fault(Duration delay, double delayPercent, int abortStatus, double abortPercent, String header)
            implements FilterConfig {
        public Fault {
            Objects.requireNonNull(delay, "delay");
            if (!(delayPercent >= 0 && delayPercent <= 100) || !(abortPercent >= 0 && abortPercent <= 100)) {
                throw new IllegalArgumentException("fault percentages must be in [0, 100], were " + delayPercent
                        + " and " + abortPercent);
            }
            if (abortStatus != 0 && (abortStatus < 200 || abortStatus > 599)) {
                throw new IllegalArgumentException("fault abort status must be in 200..599, was " + abortStatus);
            }
        }
    }
}
