package io.portcullis.ratelimit.anomaly;

/**
 * The deviations the detector knows, each with a slug for metric tags, log lines and action ids. The thresholds of
 * each live in its own record ({@link FloodRule}, {@link CredentialStuffingRule}, {@link PathScanningRule},
 * {@link ErrorSpikeRule}), gathered in {@link AnomalyRules}.
 */
public enum Rule {
    /** A client IP or consumer sends far more than its own learned rate, for several seconds. */
    REQUEST_FLOOD("request_flood"),
    /** A client IP collects many 401/403s, and they are most of what it gets. */
    CREDENTIAL_STUFFING("credential_stuffing"),
    /** A client IP collects many 404s on many distinct paths. */
    PATH_SCANNING("path_scanning"),
    /** A route's 5xx share is well above its own learned share, for several seconds. */
    ROUTE_ERROR_SPIKE("route_error_spike");

    private final String slug;

    Rule(String slug) {
        this.slug = slug;
    }

    public String slug() {
        return slug;
    }
}
