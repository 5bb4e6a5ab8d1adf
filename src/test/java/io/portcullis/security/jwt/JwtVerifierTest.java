package io.portcullis.security.jwt;

import static io.portcullis.security.jwt.Outcomes.now;
import static io.portcullis.security.jwt.Outcomes.rejected;
import static io.portcullis.security.jwt.Outcomes.verified;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import io.portcullis.testing.TestKeys;

/** Signatures, algorithms and key choice: what a token must get right before its claims are even read. */
class JwtVerifierTest {
    private static final RSAKey RSA = TestKeys.rsa("rsa-1");
    private static final RSAKey RSA_IMPOSTOR = TestKeys.rsa("rsa-1"); // same kid, another key
    private static final ECKey EC256 = TestKeys.ec(Curve.P_256, "ec-256");
    private static final ECKey EC384 = TestKeys.ec(Curve.P_384, "ec-384");
    private static final OctetKeyPair ED = TestKeys.ed25519("ed-1");
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));

    private JwtVerifierBuilder builder(JWK... keys) {
        return JwtVerifier.builder(KeySource.of(KeySet.of(List.of(keys)))).clock(clock);
    }

    private JwtVerifier verifier() {
        return builder(RSA, EC256, EC384, ED).build();
    }

    private JWTClaimsSet claims() {
        return TestKeys.claims(clock.instant()).build();
    }

    static Stream<Arguments> allowedAlgorithms() {
        return Stream.of(
                Arguments.of(JWSAlgorithm.RS256, RSA), Arguments.of(JWSAlgorithm.RS384, RSA),
                Arguments.of(JWSAlgorithm.RS512, RSA), Arguments.of(JWSAlgorithm.PS256, RSA),
                Arguments.of(JWSAlgorithm.PS384, RSA), Arguments.of(JWSAlgorithm.PS512, RSA),
                Arguments.of(JWSAlgorithm.ES256, EC256), Arguments.of(JWSAlgorithm.ES384, EC384),
                Arguments.of(JWSAlgorithm.EdDSA, ED));
    }

    @ParameterizedTest
    @MethodSource("allowedAlgorithms")
    void acceptsEachDefaultAlgorithm(JWSAlgorithm alg, JWK key) {
        Verified v = verified(now(verifier(), TestKeys.sign(key, alg, claims())));
        assertThat(v.algorithm()).isEqualTo(alg.getName());
        assertThat(v.keyId()).isEqualTo(key.getKeyID());
        assertThat(v.subject()).isEqualTo("alice");
        assertThat(v.expiresAt()).isEqualTo(clock.instant().plusSeconds(300));
    }

    @Test
    void defaultsAreTheAsymmetricAlgorithmsOnly() {
        assertThat(verifier().algorithms()).containsExactlyInAnyOrderElementsOf(JwtVerifierBuilder.DEFAULT_ALGORITHMS);
    }

    @Test
    void refusesAlgNoneWithOrWithoutASignaturePart() {
        String plain = new PlainJWT(claims()).serialize();
        assertThat(plain).endsWith(".");
        rejected(now(verifier(), plain), Reason.ALG_NOT_ALLOWED, plain);
        String signed = TestKeys.sign(RSA, JWSAlgorithm.RS256, claims());
        String noneHeader = Base64URL.encode("{\"alg\":\"none\",\"kid\":\"rsa-1\"}").toString();
        String forged = noneHeader + signed.substring(signed.indexOf('.'));
        rejected(now(verifier(), forged), Reason.ALG_NOT_ALLOWED, forged);
        String shouting = Base64URL.encode("{\"alg\":\"NONE\"}") + signed.substring(signed.indexOf('.'));
        rejected(now(verifier(), shouting), Reason.ALG_NOT_ALLOWED, shouting);
    }

    @Test
    void refusesAnAlgorithmOutsideTheAllowedList() {
        JwtVerifier rs256Only = builder(RSA).algorithms(List.of("RS256")).build();
        String ps = TestKeys.sign(RSA, JWSAlgorithm.PS256, claims());
        rejected(now(rs256Only, ps), Reason.ALG_NOT_ALLOWED, ps);
        verified(now(rs256Only, TestKeys.sign(RSA, JWSAlgorithm.RS256, claims())));
    }

    /** The classic confusion attack: HS256 "signed" with the RSA public key as the shared secret. */
    @Test
    void refusesHs256SignedWithTheRsaPublicKey() throws JOSEException {
        byte[] der = RSA.toRSAPublicKey().getEncoded();
        byte[] pem = ("-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(der)
                + "\n-----END PUBLIC KEY-----\n").getBytes(StandardCharsets.US_ASCII);
        for (byte[] secret : List.of(der, pem)) {
            String forged = TestKeys.hmac(secret, JWSAlgorithm.HS256, "rsa-1", claims());
            rejected(now(verifier(), forged), Reason.ALG_NOT_ALLOWED, forged);
            // Even on a route that allows HS256, the configured secret is its only key.
            JwtVerifier withHmac = builder(RSA).hmacSecret(SECRET).build();
            rejected(now(withHmac, forged), Reason.BAD_SIGNATURE, forged);
        }
    }

    @Test
    void hs256OnlyWithAConfiguredSecret() {
        String token = TestKeys.hmac(SECRET, JWSAlgorithm.HS256, null, claims());
        rejected(now(verifier(), token), Reason.ALG_NOT_ALLOWED, token);
        JwtVerifier withHmac = builder(RSA).hmacSecret(SECRET).build();
        assertThat(withHmac.algorithms()).contains(JWSAlgorithm.HS256).doesNotContain(JWSAlgorithm.HS384);
        assertThat(verified(now(withHmac, token)).algorithm()).isEqualTo("HS256");
        // A token with a kid is still checked against the secret alone.
        verified(now(withHmac, TestKeys.hmac(SECRET, JWSAlgorithm.HS256, "rsa-1", claims())));
        // Asymmetric tokens still verify on the same route.
        verified(now(withHmac, TestKeys.sign(RSA, JWSAlgorithm.RS256, claims())));
    }

    @Test
    void refusesATamperedPayload() {
        String token = TestKeys.sign(RSA, JWSAlgorithm.RS256, claims());
        String[] parts = token.split("\\.");
        String admin = Base64URL.encode(new JWTClaimsSet.Builder(claims()).subject("admin").build().toString())
                .toString();
        String tampered = parts[0] + "." + admin + "." + parts[2];
        rejected(now(verifier(), tampered), Reason.BAD_SIGNATURE, tampered);
    }

    @Test
    void refusesASignatureFromAnotherKeyWithTheSameKid() {
        String token = TestKeys.sign(RSA_IMPOSTOR, JWSAlgorithm.RS256, claims());
        rejected(now(verifier(), token), Reason.BAD_SIGNATURE, token);
        String ec = TestKeys.sign(TestKeys.ec(Curve.P_256, "ec-256"), JWSAlgorithm.ES256, claims());
        rejected(now(verifier(), ec), Reason.BAD_SIGNATURE, ec);
        String ed = TestKeys.sign(TestKeys.ed25519("ed-1"), JWSAlgorithm.EdDSA, claims());
        rejected(now(verifier(), ed), Reason.BAD_SIGNATURE, ed);
    }

    @Test
    void aKidNamingAKeyOfAnotherTypeFindsNoKey() {
        // Signed with the EC key, but naming the RSA key's kid: the RSA key must not be tried for ES256.
        String token = TestKeys.sign(EC256, JWSAlgorithm.ES256, "rsa-1", claims());
        rejected(now(verifier(), token), Reason.UNKNOWN_KEY, token);
        // A P-256 key is not used for ES384 either.
        String wrongCurve = TestKeys.sign(EC384, JWSAlgorithm.ES384, "ec-256", claims());
        rejected(now(verifier(), wrongCurve), Reason.UNKNOWN_KEY, wrongCurve);
    }

    @Test
    void aKeyPinnedToAnAlgorithmOrToEncryptionIsNotUsedOtherwise() {
        RSAKey pinned = new RSAKey.Builder(RSA).algorithm(JWSAlgorithm.RS256).build();
        JwtVerifier verifier = builder(pinned).build();
        verified(now(verifier, TestKeys.sign(RSA, JWSAlgorithm.RS256, claims())));
        String rs512 = TestKeys.sign(RSA, JWSAlgorithm.RS512, claims());
        rejected(now(verifier, rs512), Reason.UNKNOWN_KEY, rs512);

        RSAKey encryption = new RSAKey.Builder(RSA).keyUse(KeyUse.ENCRYPTION).build();
        assertThat(KeySet.of(List.of(encryption)).size()).isZero();
    }

    @Test
    void missingKidIsFineWithOneFittingKeyAndRefusedWithSeveral() {
        String noKid = TestKeys.sign(RSA, JWSAlgorithm.RS256, null, claims());
        // One RSA key beside keys of other types: the only candidate for RS256.
        verified(now(verifier(), noKid));
        JwtVerifier twoRsa = builder(RSA, TestKeys.rsa("rsa-2")).build();
        rejected(now(twoRsa, noKid), Reason.KID_REQUIRED, noKid);
        // With a kid, several RSA keys are no problem.
        verified(now(twoRsa, TestKeys.sign(RSA, JWSAlgorithm.RS256, claims())));
        // No key of the right type at all.
        String ec = TestKeys.sign(EC256, JWSAlgorithm.ES256, null, claims());
        rejected(now(builder(RSA).build(), ec), Reason.UNKNOWN_KEY, ec);
    }

    @Test
    void refusesOversizedTokensBeforeParsing() {
        String big = TestKeys.sign(RSA, JWSAlgorithm.RS256,
                new JWTClaimsSet.Builder(claims()).claim("blob", "x".repeat(9000)).build());
        assertThat(big.length()).isGreaterThan(JwtVerifierBuilder.DEFAULT_MAX_TOKEN_BYTES);
        rejected(now(verifier(), big), Reason.TOO_LARGE, big);
        String normal = TestKeys.sign(RSA, JWSAlgorithm.RS256, claims());
        JwtVerifier tight = builder(RSA).maxTokenBytes(normal.length() - 1).build();
        rejected(now(tight, normal), Reason.TOO_LARGE, normal);
        verified(now(builder(RSA).maxTokenBytes(normal.length()).build(), normal));
    }

    @Test
    void refusesEncryptedTokens() {
        String jweHeader = Base64URL.encode("{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\"}").toString();
        String fiveParts = jweHeader + ".a2V5.aXY.Y2lwaGVy.dGFn";
        rejected(now(verifier(), fiveParts), Reason.ALG_NOT_ALLOWED, fiveParts);
        String threeParts = jweHeader + ".e30.c2ln";
        rejected(now(verifier(), threeParts), Reason.ALG_NOT_ALLOWED, threeParts);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "a.b", "..", "e30.e30.", "not json.e30.c2ln", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln+",
        "eyJhbGciOiJSUzI1NiJ9 .e30.c2ln", "eyJub3RhbGciOjF9.e30.c2ln", "bm90IGpzb24.e30.c2ln"})
    void refusesMalformedTokens(String token) {
        rejected(now(verifier(), token), Reason.MALFORMED, token);
    }

    @Test
    void refusesAnEmptyToken() {
        assertThat(now(verifier(), "")).isEqualTo(new Rejected(Reason.MALFORMED, "empty token"));
        assertThat(now(verifier(), null)).isEqualTo(new Rejected(Reason.MALFORMED, "empty token"));
    }

    @Test
    void refusesAPayloadThatIsNotAClaimsSetEvenWhenSigned() throws JOSEException {
        JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(),
                new Payload("[1, 2, 3]"));
        jws.sign(new RSASSASigner(RSA));
        String token = jws.serialize();
        rejected(now(verifier(), token), Reason.MALFORMED, token);
    }

    @Test
    void refusesCriticalHeadersItDoesNotUnderstand() throws JOSEException {
        JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1")
                .type(JOSEObjectType.JWT).customParam("exp-policy", "strict")
                .criticalParams(Set.of("exp-policy")).build(), new Payload(claims().toJSONObject()));
        jws.sign(new RSASSASigner(RSA));
        String token = jws.serialize();
        rejected(now(verifier(), token), Reason.MALFORMED, token);
    }

    @Test
    void ed25519FullySpecifiedNameWhenAllowed() {
        JwtVerifier verifier = builder(ED).algorithms(List.of("EdDSA", "Ed25519")).build();
        verified(now(verifier, TestKeys.sign(ED, JWSAlgorithm.Ed25519, claims())));
        String token = TestKeys.sign(ED, JWSAlgorithm.Ed25519, claims());
        rejected(now(verifier(), token), Reason.ALG_NOT_ALLOWED, token);
    }

    @Test
    void rejectionDetailsQuoteUntrustedValuesSafely() {
        assertThat(Rejected.quote("a\nb'c")).isEqualTo("'a?b?c'");
        assertThat(Rejected.quote("k".repeat(100))).hasSize(48 + 5);
        assertThat(Rejected.quote(null)).isEqualTo("(none)");
    }
}
