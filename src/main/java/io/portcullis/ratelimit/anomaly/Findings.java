package io.portcullis.ratelimit.anomaly;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the figures behind a fired rule into the reason line and evidence map of an {@link AnomalyAction}, in one
 * place so the admin API reads the same for every rule. Tick thread only; allocates freely.
 */
final class Findings {
    private Findings() {
    }

    static Finding flood(FloodRule rule, double rate, double baseline, double threshold, int badSeconds) {
        String reason = String.format(Locale.ROOT,
                "request flood: %.1f req/s in %d of the last %d s above %.1f req/s (max of floor %.1f and %s x"
                        + " baseline %.1f)",
                rate, badSeconds, rule.ofSeconds(), threshold, rule.floorPerSecond(), num(rule.factor()), baseline);
        return new Finding(Rule.REQUEST_FLOOD, rule.response(), baseline, reason, evidence(
                "ratePerSecond", rate, "baselinePerSecond", baseline, "thresholdPerSecond", threshold,
                "badSeconds", badSeconds, "ofSeconds", rule.ofSeconds()));
    }

    static Finding credentialStuffing(CredentialStuffingRule rule, long failures, long requests, double baseline) {
        double share = (double) failures / Math.max(1, requests);
        String reason = String.format(Locale.ROOT,
                "credential stuffing: %d of %d responses in the last %d s were 401/403 (%.0f%%)",
                failures, requests, rule.windowSeconds(), share * 100);
        return new Finding(Rule.CREDENTIAL_STUFFING, rule.response(), baseline, reason, evidence(
                "authFailures", failures, "requests", requests, "share", share,
                "windowSeconds", rule.windowSeconds()));
    }

    static Finding pathScanning(PathScanningRule rule, long notFound, int distinctPaths, long requests,
            double baseline) {
        double share = (double) notFound / Math.max(1, requests);
        String reason = String.format(Locale.ROOT,
                "path scanning: %d 404s on about %d distinct paths among %d responses in the last %d s",
                notFound, distinctPaths, requests, rule.windowSeconds());
        return new Finding(Rule.PATH_SCANNING, rule.response(), baseline, reason, evidence(
                "notFound", notFound, "distinctPaths", distinctPaths, "requests", requests, "share", share,
                "windowSeconds", rule.windowSeconds()));
    }

    static Finding errorSpike(ErrorSpikeRule rule, int requests, int errors, double baselineShare,
            double threshold, int badSeconds, double baselineRate) {
        double share = (double) errors / Math.max(1, requests);
        String reason = String.format(Locale.ROOT,
                "route error spike: %d of %d responses were 5xx (%.1f%%) in a second, %d of the last %d s at or"
                        + " above %.1f%% (baseline %.2f%%)",
                errors, requests, share * 100, badSeconds, rule.ofSeconds(), threshold * 100, baselineShare * 100);
        return new Finding(Rule.ROUTE_ERROR_SPIKE, rule.response(), baselineRate, reason, evidence(
                "serverErrors", errors, "requests", requests, "share", share, "baselineShare", baselineShare,
                "thresholdShare", threshold, "badSeconds", badSeconds, "ofSeconds", rule.ofSeconds()));
    }

    /** Name/value pairs in order; doubles rounded to 4 decimals so the admin JSON stays readable. */
    private static Map<String, Number> evidence(Object... pairs) {
        Map<String, Number> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            Number value = (Number) pairs[i + 1];
            if (value instanceof Double d) {
                value = Math.round(d * 10_000) / 10_000.0;
            }
            map.put((String) pairs[i], value);
        }
        return Collections.unmodifiableMap(map);
    }

    private static String num(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
