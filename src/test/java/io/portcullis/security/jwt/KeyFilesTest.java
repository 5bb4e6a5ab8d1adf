package io.portcullis.security.jwt;

import static io.portcullis.security.jwt.Outcomes.now;
import static io.portcullis.security.jwt.Outcomes.rejected;
import static io.portcullis.security.jwt.Outcomes.verified;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import io.portcullis.testing.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.portcullis.testing.TestKeys;

/** Keys from a local JWKS, JWK or PEM file, and the messages an operator sees when the file is wrong. */
class KeyFilesTest {
    private static final RSAKey RSA = TestKeys.rsa("rsa-1");
    private static final ECKey EC = TestKeys.ec(Curve.P_256, "ec-1");
    private static final OctetKeyPair ED = TestKeys.ed25519("ed-1");

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private static JwtVerifier verifier(KeySource keys) {
        return JwtVerifier.builder(keys).build();
    }

    private static String token(com.nimbusds.jose.jwk.JWK key, JWSAlgorithm alg, String kid) {
        return TestKeys.sign(key, alg, kid, TestKeys.claims(Instant.now()).build());
    }

    private static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(key.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    @Test
    void aJwksFileVerifiesByKid() throws Exception {
        JwtVerifier verifier = verifier(KeySource.fromFile(write("jwks.json", TestKeys.jwks(RSA, EC, ED))));
        verified(now(verifier, token(RSA, JWSAlgorithm.RS256, "rsa-1")));
        verified(now(verifier, token(EC, JWSAlgorithm.ES256, "ec-1")));
        verified(now(verifier, token(ED, JWSAlgorithm.EdDSA, "ed-1")));
        String unknown = token(RSA, JWSAlgorithm.RS256, "rsa-9");
        rejected(now(verifier, unknown), Reason.UNKNOWN_KEY, unknown);
    }

    @Test
    void aSingleJwkFileIsOneKey() throws Exception {
        KeySource keys = KeySource.fromFile(write("key.json", RSA.toPublicJWK().toJSONString()));
        assertThat(keys.current().keyIds()).containsExactly("rsa-1");
    }

    @Test
    void pemPublicKeysHaveNoKidAndSoFitAnyKid() throws Exception {
        String pem = pem(RSA.toPublicKey()) + pem(EC.toPublicKey()) + pem(Ed25519Keys.publicKey(ED));
        JwtVerifier verifier = verifier(KeySource.fromFile(write("keys.pem", "# issued by idp\n" + pem)));
        verified(now(verifier, token(RSA, JWSAlgorithm.RS256, null)));
        verified(now(verifier, token(RSA, JWSAlgorithm.PS256, "whatever-the-idp-calls-it")));
        verified(now(verifier, token(EC, JWSAlgorithm.ES256, null)));
        verified(now(verifier, token(ED, JWSAlgorithm.EdDSA, null)));
    }

    @Test
    void twoPemKeysOfOneTypeNeedAKidThatNoneHas() throws Exception {
        RSAKey other = TestKeys.rsa(null);
        JwtVerifier verifier = verifier(KeySource.fromFile(
                write("two.pem", pem(RSA.toPublicKey()) + pem(other.toPublicKey()))));
        String noKid = token(RSA, JWSAlgorithm.RS256, null);
        rejected(now(verifier, noKid), Reason.KID_REQUIRED, noKid);
        String withKid = token(RSA, JWSAlgorithm.RS256, "rsa-1");
        rejected(now(verifier, withKid), Reason.UNKNOWN_KEY, withKid);
    }

    @Test
    void aCertificateCarriesItsKey() throws Exception {
        TestCertificates.Authority idp = TestCertificates.rootCa("idp", TestCertificates.KeyType.RSA);
        Path file = TestCertificates.writePem(dir.resolve("idp.crt"), idp.certificate());
        RSAKey signing = new RSAKey.Builder((RSAPublicKey) idp.keys().getPublic())
                .privateKey((RSAPrivateKey) idp.keys().getPrivate()).build();
        verified(now(verifier(KeySource.fromFile(file)), token(signing, JWSAlgorithm.RS256, null)));
    }

    @Test
    void badFilesAreReportedWithTheirNameAndReason() throws Exception {
        Path missing = dir.resolve("missing.json");
        assertThatThrownBy(() -> KeySource.fromFile(missing)).isInstanceOf(IOException.class)
                .hasMessage("keys file " + missing + ": no such file");
        Path garbage = write("garbage.txt", "hello");
        assertThatThrownBy(() -> KeySource.fromFile(garbage))
                .hasMessage("keys file " + garbage + ": neither JSON (a JWKS or JWK) nor PEM");
        Path badJson = write("bad.json", "{\"keys\": [{\"kty\": \"RSA\"}]}");
        assertThatThrownBy(() -> KeySource.fromFile(badJson)).hasMessageStartingWith("keys file " + badJson
                + ": invalid JWKS: ");
        Path privatePem = write("private.pem", "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n"
                + "-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> KeySource.fromFile(privatePem)).hasMessage("keys file " + privatePem
                + ": holds a private key (PRIVATE KEY); give the public key only");
        Path truncated = write("cut.pem", pem(RSA.toPublicKey()).substring(0, 100));
        assertThatThrownBy(() -> KeySource.fromFile(truncated)).hasMessageContaining("no complete PEM block");
        Path notAKey = write("junk.pem", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
        assertThatThrownBy(() -> KeySource.fromFile(notAKey))
                .hasMessage("keys file " + notAKey + ": PUBLIC KEY is not an RSA, EC or Ed25519 key");
    }

    @Test
    void aFileWithoutSignatureKeysIsRefused() throws Exception {
        OctetSequenceKey hmac = new OctetSequenceKeyGenerator(256).keyID("shared").generate();
        RSAKey encryption = new RSAKey.Builder(RSA.toRSAPublicKey()).keyUse(KeyUse.ENCRYPTION).build();
        Path file = write("enc.json", "{\"keys\": [" + hmac.toJSONString() + "," + encryption.toJSONString() + "]}");
        assertThatThrownBy(() -> KeySource.fromFile(file))
                .hasMessage("keys file " + file + ": no usable signature-verification key (2 skipped)");
    }

    /** The JDK form of a test Ed25519 key, for writing it as PEM. */
    private static final class Ed25519Keys {
        static PublicKey publicKey(OctetKeyPair key) throws JOSEException {
            byte[] prefix = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
            byte[] x = key.getDecodedX();
            byte[] der = java.util.Arrays.copyOf(prefix, prefix.length + x.length);
            System.arraycopy(x, 0, der, prefix.length, x.length);
            try {
                return java.security.KeyFactory.getInstance("Ed25519")
                        .generatePublic(new java.security.spec.X509EncodedKeySpec(der));
            } catch (java.security.GeneralSecurityException e) {
                throw new JOSEException(e.getMessage(), e);
            }
        }
    }
}
