package io.portcullis.security.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import java.text.ParseException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * Verifies one bearer token for the JWT filter, on the event loop that read the request. Immutable apart from its
 * cache and counter, and thread-safe: one instance serves every loop. Build it with {@link #builder(KeySource)}.
 *
 * <p>The order of checks puts the cheap refusals first: size, cache, syntax and {@code alg}, key choice, then the
 * signature, then the claims. Keys come only from the {@link KeySource} (never from {@code jku}, {@code jwk} or
 * {@code x5u} headers) and HMAC algorithms only from the configured secret, so a token cannot pick its own key.
 *
 * <p>{@link #verify} returns an already-completed future on every path but one: a {@code kid} missing from the
 * current key set, when the source agrees to refetch. That future completes later on a thread of the source (for
 * {@link RemoteJwks}, one of the JDK HTTP client's or the common pool's), which then also checks the signature, so
 * the caller must hop back to its event loop before touching the channel.
 */
public final class JwtVerifier {
    /** The thumbprint recorded for tokens verified with the shared secret, which no key set ever removes. */
    private static final String HMAC_KEY = "hmac";

    private final KeySource keys;
    private final Set<JWSAlgorithm> algorithms;
    private final JWSVerifier hmac;
    private final ClaimsPolicy policy;
    private final VerifiedCache cache;
    private final int maxTokenBytes;
    private final LongAdder signatureChecks = new LongAdder();

    JwtVerifier(KeySource keys, Set<JWSAlgorithm> algorithms, JWSVerifier hmac, ClaimsPolicy policy,
                long cacheSize, int maxTokenBytes) {
        this.keys = keys;
        this.algorithms = Set.copyOf(algorithms);
        this.hmac = hmac;
        this.policy = policy;
        this.cache = new VerifiedCache(cacheSize, policy);
        this.maxTokenBytes = maxTokenBytes;
    }

    public static JwtVerifierBuilder builder(KeySource keys) {
        return new JwtVerifierBuilder(keys);
    }

    /** The algorithms this verifier accepts. */
    public Set<JWSAlgorithm> algorithms() {
        return algorithms;
    }

    /**
     * Verifies a compact JWS (the part after {@code Bearer }). Never throws for anything the token holds; see the
     * class comment for which thread completes the future. Each call gets a future of its own.
     */
    public CompletableFuture<Outcome> verify(String token) {
        if (token == null || token.isEmpty()) {
            return done(new Rejected(Reason.MALFORMED, "empty token"));
        }
        if (token.length() > maxTokenBytes) {
            return done(new Rejected(Reason.TOO_LARGE, token.length() + " bytes, limit " + maxTokenBytes));
        }
        VerifiedCache.Digest digest = cache.digest(token);
        KeySet current = keys.current();
        if (digest != null) {
            Outcome hit = cached(digest, current);
            if (hit != null) {
                return done(hit);
            }
        }
        ParsedToken parsed = ParsedToken.parse(token);
        if (parsed.rejected != null) {
            return done(parsed.rejected);
        }
        JWSAlgorithm alg = parsed.header.getAlgorithm();
        if (!algorithms.contains(alg)) {
            return done(new Rejected(Reason.ALG_NOT_ALLOWED, "alg " + Rejected.quote(alg.getName())));
        }
        if (JWSAlgorithm.Family.HMAC_SHA.contains(alg)) {
            return done(check(parsed, hmac, HMAC_KEY, digest));
        }
        String kid = parsed.header.getKeyID();
        VerificationKey key = current.select(alg, kid);
        if (key != null) {
            return done(check(parsed, key.verifier, key.thumbprint, digest));
        }
        if (kid == null) {
            return done(current.countFitting(alg) > 1
                    ? new Rejected(Reason.KID_REQUIRED, "no kid and several keys fit " + alg)
                    : new Rejected(Reason.UNKNOWN_KEY, "no key fits " + alg));
        }
        return keys.refetch(kid).toCompletableFuture().handle((fresh, error) -> {
            VerificationKey found = fresh == null ? null : fresh.select(alg, kid);
            return found == null
                    ? new Rejected(Reason.UNKNOWN_KEY, "kid " + Rejected.quote(kid) + " for " + alg)
                    : check(parsed, found.verifier, found.thumbprint, digest);
        });
    }

    /** Signature verifications performed (cache misses that got as far as a key); for tests and metrics. */
    long signatureChecks() {
        return signatureChecks.sum();
    }

    private Outcome cached(VerifiedCache.Digest digest, KeySet current) {
        VerifiedCache.Entry entry = cache.get(digest);
        if (entry == null) {
            return null;
        }
        if (!HMAC_KEY.equals(entry.keyThumbprint()) && !current.contains(entry.keyThumbprint())) {
            cache.invalidate(digest); // its key left the set: verify afresh, which will most likely refuse it
            return null;
        }
        Verified verified = entry.verified();
        Rejected late = policy.checkTimes(verified.expiresAt(), verified.notBefore());
        if (late != null) {
            cache.invalidate(digest);
            return late;
        }
        return verified;
    }

    private Outcome check(ParsedToken token, JWSVerifier verifier, String keyThumbprint, VerifiedCache.Digest digest) {
        signatureChecks.increment();
        String kid = token.header.getKeyID();
        try {
            if (!verifier.verify(token.header, token.signingInput, token.signature)) {
                return new Rejected(Reason.BAD_SIGNATURE, "kid " + Rejected.quote(kid));
            }
        } catch (JOSEException e) {
            return new Rejected(Reason.BAD_SIGNATURE, "kid " + Rejected.quote(kid) + ": unverifiable signature");
        }
        JWTClaimsSet claims;
        try {
            claims = JWTClaimsSet.parse(token.payload.decodeToString());
        } catch (ParseException e) {
            return new Rejected(Reason.MALFORMED, "payload is not a valid JWT claims set");
        }
        Rejected refused = policy.check(claims);
        if (refused != null) {
            return refused;
        }
        Verified verified = Verified.of(claims, token.header.getAlgorithm().getName(), kid);
        cache.put(digest, verified, keyThumbprint);
        return verified;
    }

    private static CompletableFuture<Outcome> done(Outcome outcome) {
        return CompletableFuture.completedFuture(outcome);
    }
}
