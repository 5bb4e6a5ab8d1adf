package io.portcullis.security.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable set of verification keys, as one JWKS fetch or key file produced it. Key sources publish a new
 * instance whole, so a request that captured one sees a consistent set. Keys that cannot verify signatures
 * ({@code use: enc}, symmetric, unsupported curves) are left out and counted in {@link #skipped()}.
 */
public final class KeySet {
    public static final KeySet EMPTY = new KeySet(List.of(), 0);

    private final List<VerificationKey> keys;
    private final Set<String> thumbprints;
    private final int skipped;

    private KeySet(List<VerificationKey> keys, int skipped) {
        this.keys = List.copyOf(keys);
        Set<String> prints = new HashSet<>();
        keys.forEach(k -> prints.add(k.thumbprint));
        this.thumbprints = Set.copyOf(prints);
        this.skipped = skipped;
    }

    /** The usable keys of a JWK list. */
    public static KeySet of(List<? extends JWK> jwks) {
        List<VerificationKey> usable = new ArrayList<>(jwks.size());
        for (JWK jwk : jwks) {
            VerificationKey key = VerificationKey.from(Objects.requireNonNull(jwk, "jwk"));
            if (key != null) {
                usable.add(key);
            }
        }
        return new KeySet(usable, jwks.size() - usable.size());
    }

    /** Parses a JWKS document ({@code {"keys": [...]}}); keys of unknown types are skipped, as RFC 7517 asks. */
    public static KeySet parse(String jwks) throws ParseException {
        return of(JWKSet.parse(jwks).getKeys());
    }

    public int size() {
        return keys.size();
    }

    /** How many keys of the source were left out as unusable for signature verification. */
    public int skipped() {
        return skipped;
    }

    /** The key ids, in source order, for log lines; a key without one shows as null. */
    public List<String> keyIds() {
        List<String> ids = new ArrayList<>(keys.size());
        keys.forEach(k -> ids.add(k.kid));
        return ids;
    }

    boolean contains(String thumbprint) {
        return thumbprints.contains(thumbprint);
    }

    /**
     * The key for a token, or null. With a kid: the key of that kid fitting {@code alg}, else the only fitting key
     * that has no kid at all (PEM keys have none). Without a kid: the only key fitting {@code alg}; null when there
     * are several, see {@link #countFitting}.
     */
    VerificationKey select(JWSAlgorithm alg, String kid) {
        VerificationKey kidless = null;
        int kidlessCount = 0;
        VerificationKey only = null;
        int fitting = 0;
        for (VerificationKey key : keys) {
            if (!key.fits(alg)) {
                continue;
            }
            if (kid != null && kid.equals(key.kid)) {
                return key;
            }
            if (key.kid == null) {
                kidless = key;
                kidlessCount++;
            }
            only = key;
            fitting++;
        }
        if (kid == null) {
            return fitting == 1 ? only : null;
        }
        return kidlessCount == 1 ? kidless : null;
    }

    int countFitting(JWSAlgorithm alg) {
        int n = 0;
        for (VerificationKey key : keys) {
            if (key.fits(alg)) {
                n++;
            }
        }
        return n;
    }
}
