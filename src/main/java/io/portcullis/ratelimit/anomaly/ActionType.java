package io.portcullis.ratelimit.anomaly;

/**
 * What a rule does to the key it flags. Every kind expires by itself ({@link RuleResponse#duration()}) and is listed
 * in the admin API until then, so an operator sees shadow findings the same way as enforced ones.
 */
public enum ActionType {
    /** Log and metric only: {@link AnomalyDetector#check} ignores it. For trying a rule before trusting it. */
    SHADOW,
    /** Requests of the key pass at a tighter rate ({@link Action#admit}); the rest get 429. */
    THROTTLE,
    /** Every request of the key is refused. */
    BLOCK
}
