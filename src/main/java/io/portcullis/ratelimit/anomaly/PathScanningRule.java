package io.portcullis.ratelimit.anomaly;

import java.time.Duration;

/**
 * Path scanning from one client IP: over the last {@code windowSeconds}, at least {@code minNotFound} 404s, on
 * about {@code minDistinctPaths} or more distinct paths, making up at least {@code minShare} of its responses.
 *
 * <p>Distinct paths are estimated by {@link PathSketch} (a 64-bit linear-counting bitmap per second), which is
 * accurate to a path or two up to a few dozen and saturates near 260, hence the cap on {@code minDistinctPaths}.
 *
 * <p>Why the defaults: normal clients miss the same few paths over and over (a favicon, a stale bookmark, a
 * {@code robots.txt}), so the distinct count, not the 404 count, is what tells a scanner; 15 distinct misses in
 * 10 s is no browser. The share protects shared IPs as for {@link CredentialStuffingRule}.
 */
public record PathScanningRule(
        boolean enabled,
        int windowSeconds,
        int minNotFound,
        int minDistinctPaths,
        double minShare,
        RuleResponse response) {

    static final int MAX_DISTINCT_PATHS = 100;

    public static final PathScanningRule DEFAULT = new PathScanningRule(true, 10, 20, 15, 0.5,
            new RuleResponse(ActionType.BLOCK, Duration.ofMinutes(15), 1));

    public PathScanningRule {
        RuleChecks.window("windowSeconds", windowSeconds);
        RuleChecks.atLeastOne("minNotFound", minNotFound);
        if (minDistinctPaths < 1 || minDistinctPaths > MAX_DISTINCT_PATHS) {
            throw new IllegalArgumentException(
                    "minDistinctPaths must be in [1, " + MAX_DISTINCT_PATHS + "], was " + minDistinctPaths);
        }
        RuleChecks.share("minShare", minShare);
        RuleChecks.response(response);
    }

    /** The cheap part of the test, before the distinct paths are estimated. */
    boolean countsQualify(long notFound, long requests) {
        return enabled && notFound >= minNotFound && notFound >= minShare * requests;
    }
}
