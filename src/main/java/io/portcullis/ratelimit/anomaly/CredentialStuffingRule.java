package io.portcullis.ratelimit.anomaly;

import java.time.Duration;

/**
 * Credential stuffing from one client IP: over the last {@code windowSeconds}, at least {@code minFailures}
 * responses were 401 or 403, and they were at least {@code minShare} of the IP's responses.
 *
 * <p>Why the defaults: 20 failures in 10 s is two a second for ten seconds, far beyond a person mistyping a
 * password or an app whose token just expired (a handful of parallel 401s, then a refresh); stuffing tools try
 * tens a second. The share keeps a busy NAT or corporate proxy, where many users fail now and then among many
 * successes, from being blocked for its minority. Blocking for 15 minutes outlasts a typical tool's patience
 * without locking a misconfigured client out for long.
 */
public record CredentialStuffingRule(
        boolean enabled, int windowSeconds, int minFailures, double minShare, RuleResponse response) {

    public static final CredentialStuffingRule DEFAULT = new CredentialStuffingRule(true, 10, 20, 0.5,
            new RuleResponse(ActionType.BLOCK, Duration.ofMinutes(15), 1));

    public CredentialStuffingRule {
        RuleChecks.window("windowSeconds", windowSeconds);
        RuleChecks.atLeastOne("minFailures", minFailures);
        RuleChecks.share("minShare", minShare);
        RuleChecks.response(response);
    }

    boolean fires(long failures, long requests) {
        return enabled && failures >= minFailures && failures >= minShare * requests;
    }
}
