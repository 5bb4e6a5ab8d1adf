package io.portcullis.ratelimit.anomaly;

import java.time.Duration;

/**
 * Error spike on one route: a second is bad when it saw at least {@code minRequestsPerSecond} requests and its 5xx
 * share reached {@code min(0.95, max(minShare, factor × baselineShare))}; the rule fires when {@code badSeconds} of
 * the last {@code ofSeconds} were bad. The baseline share is the ratio of two EWMAs (5xx/s over requests/s, so busy
 * seconds weigh more), learned from good seconds only and started at zero: a route is assumed healthy until shown
 * otherwise.
 *
 * <p>The "N of the last M seconds" test is the hysteresis: a one-second backend blip, or two, never fires however
 * bad, and the retry burst that follows it dilutes rather than adds to the share; a backend that flaps every other
 * second still fires, which a strict "N in a row" would miss. The 0.95 cap keeps a chronically failing route
 * (baseline 40 %) flaggable when it fails completely.
 *
 * <p>Why the defaults: 10 % 5xx for three seconds of five is a real outage for anyone watching; below 10 requests a
 * second a share says little. The baseline learns over five minutes because a route's normal error share moves
 * slowly. The action is shadow: the clients are victims here, not culprits, so enforcing (a throttle sheds a retry
 * storm) is left to the operator.
 */
public record ErrorSpikeRule(
        boolean enabled,
        int minRequestsPerSecond,
        double minShare,
        double factor,
        int badSeconds,
        int ofSeconds,
        Duration baselineTimeConstant,
        RuleResponse response) {

    static final double MAX_THRESHOLD = 0.95;

    public static final ErrorSpikeRule DEFAULT = new ErrorSpikeRule(true, 10, 0.1, 3, 3, 5, Duration.ofMinutes(5),
            new RuleResponse(ActionType.SHADOW, Duration.ofMinutes(5), 10));

    public ErrorSpikeRule {
        RuleChecks.atLeastOne("minRequestsPerSecond", minRequestsPerSecond);
        RuleChecks.share("minShare", minShare);
        if (!(factor >= 1) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("factor must be finite and >= 1, was " + factor);
        }
        RuleChecks.history("badSeconds", badSeconds, "ofSeconds", ofSeconds);
        RuleChecks.timeConstant("baselineTimeConstant", baselineTimeConstant);
        RuleChecks.response(response);
    }

    double threshold(double baselineShare) {
        return Math.min(MAX_THRESHOLD, Math.max(minShare, factor * baselineShare));
    }
}
