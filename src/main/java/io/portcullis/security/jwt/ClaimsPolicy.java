package io.portcullis.security.jwt;

import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The claim checks of one verifier, applied once the signature holds: {@code exp} (required, so a cached token
 * always has an end) and {@code nbf} within the clock skew, then issuer, audience (any of) and required claims. The
 * time checks run again on every cache hit, against the same injected clock.
 */
final class ClaimsPolicy {
    private final String issuer;
    private final Set<String> audiences;
    private final List<String> requiredClaims;
    private final long skewMillis;
    private final Clock clock;

    ClaimsPolicy(String issuer, Set<String> audiences, List<String> requiredClaims, Duration skew, Clock clock) {
        this.issuer = issuer;
        this.audiences = Set.copyOf(audiences);
        this.requiredClaims = List.copyOf(requiredClaims);
        this.skewMillis = skew.toMillis();
        this.clock = clock;
    }

    Rejected check(JWTClaimsSet claims) {
        if (claims.getExpirationTime() == null) {
            return new Rejected(Reason.MISSING_CLAIM, "exp");
        }
        Instant nbf = claims.getNotBeforeTime() == null ? null : claims.getNotBeforeTime().toInstant();
        Rejected late = checkTimes(claims.getExpirationTime().toInstant(), nbf);
        if (late != null) {
            return late;
        }
        if (issuer != null && !issuer.equals(claims.getIssuer())) {
            return new Rejected(Reason.BAD_ISSUER, "iss " + Rejected.quote(claims.getIssuer()));
        }
        if (!audiences.isEmpty() && !anyAccepted(claims.getAudience())) {
            return new Rejected(Reason.BAD_AUDIENCE, "aud " + Rejected.quote(String.valueOf(claims.getAudience())));
        }
        for (String name : requiredClaims) {
            if (claims.getClaim(name) == null) {
                return new Rejected(Reason.MISSING_CLAIM, name);
            }
        }
        return null;
    }

    /** Null while {@code now} lies in [nbf - skew, exp + skew). */
    Rejected checkTimes(Instant exp, Instant nbf) {
        long now = clock.millis();
        if (now >= exp.toEpochMilli() + skewMillis) {
            return new Rejected(Reason.EXPIRED, "exp " + exp + " is past");
        }
        if (nbf != null && now + skewMillis < nbf.toEpochMilli()) {
            return new Rejected(Reason.NOT_YET_VALID, "nbf " + nbf + " is ahead");
        }
        return null;
    }

    /** How long a verified token may be served from the cache, measured from now. */
    Duration remaining(Instant exp) {
        return Duration.ofMillis(Math.max(0, exp.toEpochMilli() + skewMillis - clock.millis()));
    }

    private boolean anyAccepted(List<String> tokenAudiences) {
        for (String aud : tokenAudiences) {
            if (audiences.contains(aud)) {
                return true;
            }
        }
        return false;
    }
}
