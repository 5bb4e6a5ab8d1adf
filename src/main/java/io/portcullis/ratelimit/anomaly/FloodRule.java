package io.portcullis.ratelimit.anomaly;

import java.time.Duration;

/**
 * Request flood from one client IP or consumer: a second is bad when its rate exceeds
 * {@code max(floorPerSecond, factor × baseline)}, and the rule fires when {@code badSeconds} of the last
 * {@code ofSeconds} were bad. The baseline is an EWMA of the key's per-second rate with time constant
 * {@code baselineTimeConstant}, learned from good seconds only (so a flood never teaches itself), and started at
 * {@code min(first second's rate, floorPerSecond)} so a key that floods from its first request is caught too.
 *
 * <p>Why the defaults: an EWMA with a 60 s time constant lags a rate that doubles every minute by a factor of
 * {@code 1 + 60·ln2/60 ≈ 1.7}, and a linear 50→200 ramp over two minutes by less; {@code factor = 4} leaves room
 * for ±20 % noise on top of that, while a 20× jump is five times past it. Three bad seconds of five let a two-second
 * retry burst pass and still flag a flood within 3–4 s. The floor keeps small keys (a browser at 2 req/s) from
 * being flagged for a page load: 100 req/s sustained from one IP is no person, 200 for a consumer since API
 * consumers are machines with legitimately higher rates.
 */
public record FloodRule(
        boolean enabled,
        double floorPerSecond,
        double factor,
        int badSeconds,
        int ofSeconds,
        Duration baselineTimeConstant,
        RuleResponse response) {

    public static final FloodRule CLIENT_IP_DEFAULT = new FloodRule(true, 100, 4, 3, 5, Duration.ofSeconds(60),
            new RuleResponse(ActionType.THROTTLE, Duration.ofMinutes(5), 10));
    public static final FloodRule CONSUMER_DEFAULT = new FloodRule(true, 200, 4, 3, 5, Duration.ofSeconds(60),
            new RuleResponse(ActionType.THROTTLE, Duration.ofMinutes(5), 20));

    public FloodRule {
        RuleChecks.positive("floorPerSecond", floorPerSecond);
        if (!(factor > 1) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("factor must be finite and > 1, was " + factor);
        }
        RuleChecks.history("badSeconds", badSeconds, "ofSeconds", ofSeconds);
        RuleChecks.timeConstant("baselineTimeConstant", baselineTimeConstant);
        RuleChecks.response(response);
    }

    /** The rate above which a second counts as bad, for a key whose learned rate is {@code baseline}. */
    double threshold(double baseline) {
        return Math.max(floorPerSecond, factor * baseline);
    }
}
