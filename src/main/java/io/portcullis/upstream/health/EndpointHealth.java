package io.portcullis.upstream.health;

/**
 * The health of one endpoint as its check results come in: thresholds of consecutive results, and the first result
 * of an endpoint with no history. Pure logic: the checker feeds it results on its event loop, and only
 * {@link #healthy()} is read from other threads (a volatile field written by that loop alone).
 */
final class EndpointHealth {
    private final int healthyThreshold;
    private final int unhealthyThreshold;
    private volatile boolean healthy;
    private boolean decided;
    private boolean lastWasFirst;
    private int passes;
    private int failures;

    /**
     * @param knownHealthy the state carried over from an earlier checker, or null: then the endpoint counts as
     *     healthy until its first result, which alone decides
     * @param healthyThreshold   >= 1, as {@code ClusterConfig.HealthCheck} guarantees
     * @param unhealthyThreshold >= 1, likewise
     */
    EndpointHealth(Boolean knownHealthy, int healthyThreshold, int unhealthyThreshold) {
        this.healthyThreshold = healthyThreshold;
        this.unhealthyThreshold = unhealthyThreshold;
        this.healthy = knownHealthy == null || knownHealthy;
        this.decided = knownHealthy != null;
    }

    boolean healthy() {
        return healthy;
    }

    /** Counts one check result; true when it flipped the state. */
    boolean record(boolean pass) {
        lastWasFirst = !decided;
        decided = true;
        if (pass) {
            passes++;
            failures = 0;
        } else {
            failures++;
            passes = 0;
        }
        boolean next;
        if (lastWasFirst) {
            next = pass;
        } else if (healthy) {
            next = failures < unhealthyThreshold;
        } else {
            next = passes >= healthyThreshold;
        }
        if (next == healthy) {
            return false;
        }
        healthy = next;
        return true;
    }

    /** What the results so far amount to, for the transition log line: "first check", "3 consecutive failures". */
    String streak() {
        if (lastWasFirst) {
            return "first check";
        }
        return passes > 0
                ? passes + (passes == 1 ? " consecutive pass" : " consecutive passes")
                : failures + (failures == 1 ? " consecutive failure" : " consecutive failures");
    }
}
