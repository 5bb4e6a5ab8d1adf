package io.portcullis.ratelimit.anomaly;

/**
 * One route's learned 5xx share and request rate and its recent bad seconds, for {@link ErrorSpikeRule}. Tick
 * thread only. The share is kept as two EWMAs (requests/s and 5xx/s) rather than an EWMA of per-second shares, so
 * a quiet second with 1 error in 2 requests does not weigh like a busy one.
 */
final class ErrorSpikeTracker {
    private double requestRate = Double.NaN;
    private double errorRate;
    private int history;
    private int lastRequests;
    private int lastErrors;
    private double lastBaselineShare;
    private double lastThreshold;

    boolean observe(int requests, int errors, double seconds, double alpha, ErrorSpikeRule rule) {
        double rate = requests / seconds;
        if (Double.isNaN(requestRate)) {
            requestRate = rate; // a route is healthy until shown otherwise: errorRate starts at 0
        }
        double baselineShare = requestRate > 0 ? Math.min(1, errorRate / requestRate) : 0;
        double threshold = rule.threshold(baselineShare);
        boolean bad = requests >= rule.minRequestsPerSecond() * seconds && errors >= threshold * requests;
        history = SecondHistory.push(history, bad, rule.ofSeconds());
        lastRequests = requests;
        lastErrors = errors;
        lastBaselineShare = baselineShare;
        lastThreshold = threshold;
        if (!bad) {
            requestRate += alpha * (rate - requestRate);
            errorRate += alpha * (errors / seconds - errorRate);
            return false;
        }
        return rule.enabled() && SecondHistory.bad(history) >= rule.badSeconds();
    }

    double requestRate() {
        return Double.isNaN(requestRate) ? 0 : requestRate;
    }

    Finding finding(ErrorSpikeRule rule) {
        return Findings.errorSpike(rule, lastRequests, lastErrors, lastBaselineShare, lastThreshold,
                SecondHistory.bad(history), requestRate());
    }
}
