package io.portcullis.security.jwt;

import static io.portcullis.security.jwt.Outcomes.now;
import static io.portcullis.security.jwt.Outcomes.rejected;
import static io.portcullis.security.jwt.Outcomes.verified;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import io.portcullis.testing.TestKeys;

/** The claim checks that follow a good signature: times with skew, issuer, audience, required claims. */
class JwtClaimsTest {
    private static final RSAKey RSA = TestKeys.rsa("rsa-1");

    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));

    private JwtVerifierBuilder builder() {
        return JwtVerifier.builder(KeySource.of(KeySet.of(List.of(RSA)))).clock(clock).cacheSize(0);
    }

    private JwtVerifier verifier() {
        return builder().issuer(TestKeys.ISSUER).audiences(List.of(TestKeys.AUDIENCE)).build();
    }

    private String token(JWTClaimsSet.Builder claims) {
        return TestKeys.sign(RSA, JWSAlgorithm.RS256, claims.build());
    }

    private JWTClaimsSet.Builder claims() {
        return TestKeys.claims(clock.instant());
    }

    @Test
    void expiredIsRefusedOnceTheSkewIsUsedUp() {
        Instant t = clock.instant();
        String token = token(claims().expirationTime(Date.from(t.minusSeconds(30))));
        verified(now(verifier(), token)); // 30 s late, within the default 60 s skew
        clock.advance(Duration.ofSeconds(30));
        rejected(now(verifier(), token), Reason.EXPIRED, token); // exp + skew reached
        JwtVerifier strict = builder().clockSkew(Duration.ZERO).build();
        String exact = token(claims().expirationTime(Date.from(clock.instant())));
        rejected(now(strict, exact), Reason.EXPIRED, exact);
        String justValid = token(claims().expirationTime(Date.from(clock.instant().plusSeconds(1))));
        verified(now(strict, justValid));
    }

    @Test
    void notBeforeIsHonouredWithSkew() {
        String soon = token(claims().notBeforeTime(Date.from(clock.instant().plusSeconds(45))));
        verified(now(verifier(), soon));
        rejected(now(builder().clockSkew(Duration.ofSeconds(10)).build(), soon), Reason.NOT_YET_VALID, soon);
        String later = token(claims().notBeforeTime(Date.from(clock.instant().plusSeconds(120))));
        Rejected r = rejected(now(verifier(), later), Reason.NOT_YET_VALID, later);
        assertThat(r.detail()).contains("2030-01-01T00:02:00Z");
        clock.advance(Duration.ofSeconds(61));
        verified(now(verifier(), later));
    }

    @Test
    void expIsRequired() {
        String token = token(claims().expirationTime(null));
        assertThat(rejected(now(verifier(), token), Reason.MISSING_CLAIM, token).detail()).isEqualTo("exp");
    }

    @Test
    void wrongOrMissingIssuerIsRefused() {
        String other = token(claims().issuer("https://evil.test"));
        Rejected r = rejected(now(verifier(), other), Reason.BAD_ISSUER, other);
        assertThat(r.detail()).isEqualTo("iss 'https://evil.test'");
        String none = token(claims().issuer(null));
        rejected(now(verifier(), none), Reason.BAD_ISSUER, none);
        verified(now(builder().build(), other)); // no issuer configured: not checked
    }

    @Test
    void audienceMustMatchAnyAcceptedValue() {
        String wrong = token(claims().audience("billing-api"));
        rejected(now(verifier(), wrong), Reason.BAD_AUDIENCE, wrong);
        String none = token(claims().audience((String) null));
        rejected(now(verifier(), none), Reason.BAD_AUDIENCE, none);
        String several = token(claims().audience(List.of("billing-api", TestKeys.AUDIENCE)));
        verified(now(verifier(), several));
        JwtVerifier either = builder().audiences(List.of("x", "billing-api")).build();
        verified(now(either, wrong));
        verified(now(builder().build(), wrong)); // none configured: not checked
    }

    @Test
    void requiredClaimsMustBePresent() {
        JwtVerifier verifier = builder().requiredClaims(List.of("sub", "tenant")).build();
        String without = token(claims());
        assertThat(rejected(now(verifier, without), Reason.MISSING_CLAIM, without).detail()).isEqualTo("tenant");
        verified(now(verifier, token(claims().claim("tenant", "acme"))));
    }

    @Test
    void claimsAreReadableByDottedPathAndFrozen() {
        String token = token(claims()
                .claim("realm_access", Map.of("roles", List.of("reader", "writer", 7)))
                .claim("scope", "orders:read  orders:write")
                .claim("https://example.com/roles", List.of("ops")));
        Verified v = verified(now(verifier(), token));
        assertThat(v.strings("realm_access.roles")).containsExactly("reader", "writer");
        assertThat(v.strings("scope")).containsExactly("orders:read", "orders:write");
        assertThat(v.strings("https://example.com/roles")).containsExactly("ops");
        assertThat(v.strings("realm_access.missing")).isEmpty();
        assertThat(v.strings("sub.deeper")).isEmpty();
        assertThat(v.claim("exp")).isEqualTo(clock.instant().plusSeconds(300).getEpochSecond());
        assertThat(v.issuer()).isEqualTo(TestKeys.ISSUER);
        assertThatThrownBy(() -> v.claims().put("sub", "mallory")).isInstanceOf(UnsupportedOperationException.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> realm = (Map<String, Object>) v.claim("realm_access");
        assertThatThrownBy(() -> realm.put("roles", List.of("admin")))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
