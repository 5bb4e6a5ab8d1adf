package io.portcullis.security.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Collects a {@link JwtVerifier}'s settings and validates them in {@link #build()}, with messages naming the field,
 * since they come from route configuration. HMAC algorithms are allowed only with a secret, and then the secret is
 * the only key they use: that is what makes an HS256 token "signed" with an RSA public key useless.
 */
public final class JwtVerifierBuilder {
    /** Asymmetric algorithms allowed when none are named. */
    public static final List<JWSAlgorithm> DEFAULT_ALGORITHMS = List.of(
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.EdDSA);
    private static final Set<JWSAlgorithm> SUPPORTED = Set.of(
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519,
            JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);
    public static final int DEFAULT_MAX_TOKEN_BYTES = 8192;
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);
    public static final long DEFAULT_CACHE_SIZE = 10_000;

    private final KeySource keys;
    private List<String> algorithms;
    private byte[] hmacSecret;
    private String issuer;
    private List<String> audiences = List.of();
    private List<String> requiredClaims = List.of();
    private Duration clockSkew = DEFAULT_CLOCK_SKEW;
    private int maxTokenBytes = DEFAULT_MAX_TOKEN_BYTES;
    private long cacheSize = DEFAULT_CACHE_SIZE;
    private Clock clock = Clock.systemUTC();

    JwtVerifierBuilder(KeySource keys) {
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    /** JWS names such as {@code RS256}; default {@link #DEFAULT_ALGORITHMS}, plus the HS ones a secret allows. */
    public JwtVerifierBuilder algorithms(Collection<String> names) {
        this.algorithms = List.copyOf(names);
        return this;
    }

    /** Enables HS256 (HS384, HS512 when it is long enough); at least 32 bytes. */
    public JwtVerifierBuilder hmacSecret(byte[] secret) {
        this.hmacSecret = secret == null ? null : secret.clone();
        return this;
    }

    /** The required {@code iss}; null (the default) leaves it unchecked. */
    public JwtVerifierBuilder issuer(String issuer) {
        this.issuer = issuer;
        return this;
    }

    /** Accepted {@code aud} values, any of which will do; empty (the default) leaves it unchecked. */
    public JwtVerifierBuilder audiences(Collection<String> audiences) {
        this.audiences = List.copyOf(audiences);
        return this;
    }

    /** Top-level claims that must be present (non-null); {@code exp} always is. */
    public JwtVerifierBuilder requiredClaims(Collection<String> names) {
        this.requiredClaims = List.copyOf(names);
        return this;
    }

    public JwtVerifierBuilder clockSkew(Duration skew) {
        this.clockSkew = Objects.requireNonNull(skew, "clockSkew");
        return this;
    }

    /** Longer tokens are refused before parsing; default 8192. */
    public JwtVerifierBuilder maxTokenBytes(int max) {
        this.maxTokenBytes = max;
        return this;
    }

    /** Verified tokens kept; 0 turns the cache off. */
    public JwtVerifierBuilder cacheSize(long entries) {
        this.cacheSize = entries;
        return this;
    }

    public JwtVerifierBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    public JwtVerifier build() {
        if (hmacSecret != null && hmacSecret.length < 32) {
            throw new IllegalArgumentException("hmacSecret must be at least 32 bytes, was " + hmacSecret.length);
        }
        Set<JWSAlgorithm> allowed = algorithms == null ? defaults() : named();
        if (allowed.isEmpty()) {
            throw new IllegalArgumentException("algorithms must not be empty");
        }
        require(clockSkew.isNegative(), "clockSkew must be >= 0, was " + clockSkew);
        require(maxTokenBytes <= 0, "maxTokenBytes must be > 0, was " + maxTokenBytes);
        require(cacheSize < 0, "cacheSize must be >= 0, was " + cacheSize);
        require(issuer != null && issuer.isBlank(), "issuer must not be blank");
        require(audiences.stream().anyMatch(String::isBlank), "audiences must not hold a blank value");
        require(requiredClaims.stream().anyMatch(String::isBlank), "requiredClaims must not hold a blank name");
        ClaimsPolicy policy = new ClaimsPolicy(issuer, Set.copyOf(audiences), requiredClaims, clockSkew, clock);
        return new JwtVerifier(keys, allowed, hmacVerifier(), policy, cacheSize, maxTokenBytes);
    }

    private Set<JWSAlgorithm> defaults() {
        Set<JWSAlgorithm> allowed = new LinkedHashSet<>(DEFAULT_ALGORITHMS);
        if (hmacSecret != null) {
            allowed.addAll(MACVerifier.getCompatibleAlgorithms(hmacSecret.length * 8));
        }
        return allowed;
    }

    private Set<JWSAlgorithm> named() {
        Set<JWSAlgorithm> allowed = new LinkedHashSet<>();
        List<String> unsupported = new ArrayList<>();
        for (String name : algorithms) {
            JWSAlgorithm alg = JWSAlgorithm.parse(name);
            if (!SUPPORTED.contains(alg)) {
                unsupported.add(name);
            } else if (JWSAlgorithm.Family.HMAC_SHA.contains(alg)) {
                require(hmacSecret == null, "algorithms: " + name + " needs an hmacSecret");
                int needed = alg.equals(JWSAlgorithm.HS256) ? 32 : alg.equals(JWSAlgorithm.HS384) ? 48 : 64;
                require(hmacSecret.length < needed, "hmacSecret must be at least " + needed + " bytes for " + name
                        + ", was " + hmacSecret.length);
            }
            allowed.add(alg);
        }
        require(!unsupported.isEmpty(), "algorithms: unsupported " + unsupported + ", supported are " + SUPPORTED);
        return allowed;
    }

    private JWSVerifier hmacVerifier() {
        if (hmacSecret == null) {
            return null;
        }
        try {
            return new MACVerifier(hmacSecret);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("hmacSecret: " + e.getMessage(), e);
        }
    }

    private static void require(boolean failed, String message) {
        if (failed) {
            throw new IllegalArgumentException(message);
        }
    }
}
