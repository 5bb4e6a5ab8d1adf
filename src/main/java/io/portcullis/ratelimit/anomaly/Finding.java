package io.portcullis.ratelimit.anomaly;

import java.util.Map;

/**
 * A rule that fired on one key, before it becomes an {@link AnomalyAction}: what to do, and the figures that say
 * why. {@code normalRatePerSecond} is the key's learned request rate, which a throttle falls back to.
 */
record Finding(Rule rule, RuleResponse response, double normalRatePerSecond, String reason,
        Map<String, Number> evidence) {
}
