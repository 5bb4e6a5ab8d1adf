package io.portcullis.security.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Set;

/**
 * Verifies {@code EdDSA}/{@code Ed25519} signatures with the JDK's own Ed25519 (Java 15+). Exists because nimbus's
 * {@code Ed25519Verifier} needs Google Tink, which this project does not ship. Thread-safe: a {@link Signature} is
 * made per call, as nimbus's own verifiers do.
 */
final class Ed25519JdkVerifier implements JWSVerifier {
    /** DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 raw key bytes follow it. */
    private static final byte[] SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    static final int RAW_KEY_BYTES = 32;
    private static final int SIGNATURE_BYTES = 64;
    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);

    private final PublicKey key;
    private final JCAContext jca = new JCAContext();

    /** @param rawKey the 32-byte public key, the JWK's {@code x} */
    Ed25519JdkVerifier(byte[] rawKey) throws JOSEException {
        if (rawKey.length != RAW_KEY_BYTES) {
            throw new JOSEException("Ed25519 key must be 32 bytes, was " + rawKey.length);
        }
        byte[] spki = new byte[SPKI_PREFIX.length + RAW_KEY_BYTES];
        System.arraycopy(SPKI_PREFIX, 0, spki, 0, SPKI_PREFIX.length);
        System.arraycopy(rawKey, 0, spki, SPKI_PREFIX.length, RAW_KEY_BYTES);
        try {
            key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        } catch (GeneralSecurityException e) {
            throw new JOSEException("Ed25519 key rejected by the JDK: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
        byte[] sig = signature.decode();
        if (!ALGORITHMS.contains(header.getAlgorithm()) || sig.length != SIGNATURE_BYTES) {
            return false;
        }
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(signingInput);
            return verifier.verify(sig);
        } catch (SignatureException | InvalidKeyException e) {
            return false; // a signature the JDK cannot even decode is as bad as one that does not match
        } catch (GeneralSecurityException e) {
            throw new JOSEException("Ed25519 unavailable in this JDK: " + e.getMessage(), e);
        }
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
        return ALGORITHMS;
    }

    @Override
    public JCAContext getJCAContext() {
        return jca;
    }
}
