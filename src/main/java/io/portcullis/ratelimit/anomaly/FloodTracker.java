package io.portcullis.ratelimit.anomaly;

/**
 * One key's learned request rate and its recent bad seconds, for {@link FloodRule}. Tick thread only.
 *
 * <p>Bad seconds are not learned from: otherwise a sustained flood would raise its own baseline until it looked
 * normal (at {@code factor = 4} and a 60 s time constant, within a couple of minutes). The price is that a real,
 * permanent step of more than {@code factor}× stays flagged until an operator lifts it and lets the throttle (which
 * admits about the old rate) expire; a step that big is worth a human look anyway.
 */
final class FloodTracker {
    private double baseline = Double.NaN;
    private int history;
    private double lastRate;
    private double lastThreshold;
    private double lastBaseline;

    /** Closes one second at {@code rate}; true when the rule fires on it (this second bad, and enough before it). */
    boolean observe(double rate, double alpha, FloodRule rule) {
        if (Double.isNaN(baseline)) {
            // A key's first second may be its attack: trust it only up to the floor.
            baseline = Math.min(rate, rule.floorPerSecond());
        }
        double threshold = rule.threshold(baseline);
        boolean bad = rate > threshold;
        history = SecondHistory.push(history, bad, rule.ofSeconds());
        lastRate = rate;
        lastThreshold = threshold;
        lastBaseline = baseline;
        if (!bad) {
            baseline += alpha * (rate - baseline);
            return false;
        }
        return rule.enabled() && SecondHistory.bad(history) >= rule.badSeconds();
    }

    /** The learned rate, 0 before the first second; what a throttle on this key falls back to. */
    double baseline() {
        return Double.isNaN(baseline) ? 0 : baseline;
    }

    /** The figures of the second {@link #observe} last fired on. */
    Finding finding(FloodRule rule) {
        return Findings.flood(rule, lastRate, lastBaseline, lastThreshold, SecondHistory.bad(history));
    }
}
