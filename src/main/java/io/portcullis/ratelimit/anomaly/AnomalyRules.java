package io.portcullis.ratelimit.anomaly;

import java.util.Objects;

/**
 * The thresholds of every rule, immutable; {@link #DEFAULT} explains itself in each rule's Javadoc. One detector
 * keeps one set for its life: changing rules means building a new detector (its baselines start over), so a reload
 * that leaves the rules alone should keep the old detector and its active actions.
 */
public record AnomalyRules(
        FloodRule clientIpFlood,
        FloodRule consumerFlood,
        CredentialStuffingRule credentialStuffing,
        PathScanningRule pathScanning,
        ErrorSpikeRule routeErrorSpike) {

    public static final AnomalyRules DEFAULT = new AnomalyRules(FloodRule.CLIENT_IP_DEFAULT,
            FloodRule.CONSUMER_DEFAULT, CredentialStuffingRule.DEFAULT, PathScanningRule.DEFAULT,
            ErrorSpikeRule.DEFAULT);

    public AnomalyRules {
        Objects.requireNonNull(clientIpFlood, "clientIpFlood must not be null");
        Objects.requireNonNull(consumerFlood, "consumerFlood must not be null");
        Objects.requireNonNull(credentialStuffing, "credentialStuffing must not be null");
        Objects.requireNonNull(pathScanning, "pathScanning must not be null");
        Objects.requireNonNull(routeErrorSpike, "routeErrorSpike must not be null");
    }

    public AnomalyRules withClientIpFlood(FloodRule rule) {
        return new AnomalyRules(rule, consumerFlood, credentialStuffing, pathScanning, routeErrorSpike);
    }

    public AnomalyRules withConsumerFlood(FloodRule rule) {
        return new AnomalyRules(clientIpFlood, rule, credentialStuffing, pathScanning, routeErrorSpike);
    }

    public AnomalyRules withCredentialStuffing(CredentialStuffingRule rule) {
        return new AnomalyRules(clientIpFlood, consumerFlood, rule, pathScanning, routeErrorSpike);
    }

    public AnomalyRules withPathScanning(PathScanningRule rule) {
        return new AnomalyRules(clientIpFlood, consumerFlood, credentialStuffing, rule, routeErrorSpike);
    }

    public AnomalyRules withRouteErrorSpike(ErrorSpikeRule rule) {
        return new AnomalyRules(clientIpFlood, consumerFlood, credentialStuffing, pathScanning, rule);
    }

    /** The longest per-second window a client IP's {@link FailureWindow} must keep. */
    int failureWindowSeconds() {
        return Math.max(credentialStuffing.windowSeconds(), pathScanning.windowSeconds());
    }
}
