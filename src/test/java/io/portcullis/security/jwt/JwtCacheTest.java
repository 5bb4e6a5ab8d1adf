package io.portcullis.security.jwt;

import static io.portcullis.security.jwt.Outcomes.now;
import static io.portcullis.security.jwt.Outcomes.rejected;
import static io.portcullis.security.jwt.Outcomes.verified;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.RSAKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import io.portcullis.testing.TestKeys;

/** The verified-token cache: hits skip the signature, but never outlive the token or its key. */
class JwtCacheTest {
    private static final RSAKey RSA = TestKeys.rsa("rsa-1");
    private static final RSAKey NEXT = TestKeys.rsa("rsa-2");

    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final AtomicReference<KeySet> keys = new AtomicReference<>(KeySet.of(List.of(RSA)));
    private final JwtVerifier verifier = JwtVerifier.builder(keys::get).clock(clock).build();

    private String token(String subject) {
        return TestKeys.sign(RSA, JWSAlgorithm.RS256, TestKeys.claims(clock.instant()).subject(subject).build());
    }

    @Test
    void aCacheHitSkipsTheSignatureAndReturnsTheSameClaims() {
        String token = token("alice");
        Verified first = verified(now(verifier, token));
        Verified second = verified(now(verifier, token));
        assertThat(second).isSameAs(first);
        assertThat(verifier.signatureChecks()).isEqualTo(1);
        assertThat(verified(now(verifier, token("bob"))).subject()).isEqualTo("bob");
        assertThat(verifier.signatureChecks()).isEqualTo(2);
    }

    @Test
    void withTheCacheOffEveryRequestPaysTheSignature() {
        JwtVerifier cold = JwtVerifier.builder(keys::get).clock(clock).cacheSize(0).build();
        String token = token("alice");
        for (int i = 0; i < 3; i++) {
            verified(now(cold, token));
        }
        assertThat(cold.signatureChecks()).isEqualTo(3);
    }

    @Test
    void aCachedTokenIsRefusedOnceItExpires() {
        String token = token("alice");
        verified(now(verifier, token));
        clock.advance(Duration.ofSeconds(300 + 59));
        verified(now(verifier, token));
        clock.advance(Duration.ofSeconds(1));
        rejected(now(verifier, token), Reason.EXPIRED, token);
        assertThat(verifier.signatureChecks()).as("refused from the cache entry").isEqualTo(1);
        rejected(now(verifier, token), Reason.EXPIRED, token); // and again once the entry is gone
        assertThat(verifier.signatureChecks()).isEqualTo(2);
    }

    @Test
    void aCachedTokenStopsWorkingWhenItsKeyLeavesTheSet() {
        String token = token("alice");
        verified(now(verifier, token));
        keys.set(KeySet.of(List.of(NEXT)));
        rejected(now(verifier, token), Reason.UNKNOWN_KEY, token);
        keys.set(KeySet.of(List.of(NEXT, RSA))); // back again (a rotation that kept it): verifies afresh
        verified(now(verifier, token));
        assertThat(verifier.signatureChecks()).isEqualTo(2);
    }

    @Test
    void aTamperedCopyOfACachedTokenIsNotAHit() {
        String token = token("alice");
        verified(now(verifier, token));
        int i = token.length() - 20; // inside the signature, away from the last character's padding bits
        String altered = token.substring(0, i) + (token.charAt(i) == 'A' ? 'B' : 'A') + token.substring(i + 1);
        rejected(now(verifier, altered), Reason.BAD_SIGNATURE, altered);
    }

    @Test
    void hmacTokensAreCachedToo() {
        byte[] secret = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        JwtVerifier hmac = JwtVerifier.builder(keys::get).clock(clock).hmacSecret(secret).build();
        String token = TestKeys.hmac(secret, JWSAlgorithm.HS256, null, TestKeys.claims(clock.instant()).build());
        verified(now(hmac, token));
        verified(now(hmac, token));
        assertThat(hmac.signatureChecks()).isEqualTo(1);
    }
}
