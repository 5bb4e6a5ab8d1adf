package io.portcullis.ratelimit.anomaly;

/**
 * What every key's state needs to close one second, computed once per tick: how long the second really was, and
 * the EWMA weight of a second that long for each baseline ({@code 1 - e^(-seconds/τ)}, so a late tick weighs more).
 */
record Tick(long nowNanos, double seconds, AnomalyRules rules, double clientIpAlpha, double consumerAlpha,
        double routeAlpha) {

    static Tick of(long nowNanos, double seconds, AnomalyRules rules) {
        return new Tick(nowNanos, seconds, rules,
                alpha(seconds, rules.clientIpFlood().baselineTimeConstant().toNanos()),
                alpha(seconds, rules.consumerFlood().baselineTimeConstant().toNanos()),
                alpha(seconds, rules.routeErrorSpike().baselineTimeConstant().toNanos()));
    }

    private static double alpha(double seconds, long timeConstantNanos) {
        return 1 - Math.exp(-seconds * 1e9 / timeConstantNanos);
    }
}
