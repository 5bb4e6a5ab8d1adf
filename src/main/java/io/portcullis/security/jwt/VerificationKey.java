package io.portcullis.security.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;

/**
 * One public key ready to verify with: its JCA form and verifier are built once, when a key set is loaded, so a
 * request pays only for the signature. {@link #fits} is the key-confusion guard: a key is used only for the algorithm
 * family its type allows (RSA for RS/PS, an EC key of the matching curve for ES, an Ed25519 OKP for EdDSA) and only
 * for its JWK {@code alg} when it names one. Never for HMAC: a JWKS never supplies shared secrets.
 */
final class VerificationKey {
    final String kid;
    /** RFC 7638 thumbprint; a cached token stays valid only while a key with this thumbprint is in the set. */
    final String thumbprint;
    final JWSVerifier verifier;
    private final Kind kind;
    private final Curve curve;
    private final JWSAlgorithm pinned;

    private enum Kind { RSA, EC, ED25519 }

    private VerificationKey(JWK jwk, Kind kind, Curve curve, JWSVerifier verifier) throws JOSEException {
        this.kid = jwk.getKeyID();
        this.thumbprint = jwk.computeThumbprint().toString();
        this.verifier = verifier;
        this.kind = kind;
        this.curve = curve;
        this.pinned = jwk.getAlgorithm() == null ? null : JWSAlgorithm.parse(jwk.getAlgorithm().getName());
    }

    /** The verification key for a JWK, or null when it is not a supported signature-verification key. */
    static VerificationKey from(JWK jwk) {
        if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
            return null;
        }
        if (jwk.getKeyOperations() != null && !jwk.getKeyOperations().contains(KeyOperation.VERIFY)) {
            return null;
        }
        JWK pub = jwk.toPublicJWK();
        try {
            if (pub instanceof RSAKey rsa) {
                return new VerificationKey(pub, Kind.RSA, null, new RSASSAVerifier(rsa.toRSAPublicKey()));
            }
            if (pub instanceof ECKey ec && isEcdsaCurve(ec.getCurve())) {
                return new VerificationKey(pub, Kind.EC, ec.getCurve(), new ECDSAVerifier(ec.toECPublicKey()));
            }
            if (pub instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
                return new VerificationKey(pub, Kind.ED25519, okp.getCurve(),
                        new Ed25519JdkVerifier(okp.getDecodedX()));
            }
        } catch (JOSEException e) {
            return null; // unusable (bad point, wrong length): skipped like an unsupported type, see KeySet.skipped
        }
        return null;
    }

    /** Whether this key may verify a token signed with {@code alg}. */
    boolean fits(JWSAlgorithm alg) {
        if (pinned != null && !pinned.equals(alg)) {
            return false;
        }
        return switch (kind) {
            case RSA -> JWSAlgorithm.Family.RSA.contains(alg);
            case EC -> curve.equals(curveOf(alg));
            case ED25519 -> JWSAlgorithm.EdDSA.equals(alg) || JWSAlgorithm.Ed25519.equals(alg);
        };
    }

    private static Curve curveOf(JWSAlgorithm alg) {
        if (JWSAlgorithm.ES256.equals(alg)) {
            return Curve.P_256;
        }
        if (JWSAlgorithm.ES384.equals(alg)) {
            return Curve.P_384;
        }
        return JWSAlgorithm.ES512.equals(alg) ? Curve.P_521 : null;
    }

    private static boolean isEcdsaCurve(Curve curve) {
        return Curve.P_256.equals(curve) || Curve.P_384.equals(curve) || Curve.P_521.equals(curve);
    }
}
