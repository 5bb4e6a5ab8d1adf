package io.portcullis.security.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import io.portcullis.testing.TestKeys;

/**
 * What a bearer token costs per request: a cold verification (cache off, so every call parses, checks the signature
 * and the claims) for RS256 with a 2048-bit key, ES256 and EdDSA, and a cached RS256 verification (hash, lookup,
 * time re-check). Tokens carry typical claims (~700 bytes). Run: {@code bench/jmh.sh JwtVerifyBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class JwtVerifyBenchmark {
    private JwtVerifier cold;
    private JwtVerifier cached;
    private String rs256;
    private String es256;
    private String eddsa;

    @Setup
    public void setup() {
        RSAKey rsa = TestKeys.rsa("rsa-1");
        ECKey ec = TestKeys.ec(Curve.P_256, "ec-1");
        OctetKeyPair ed = TestKeys.ed25519("ed-1");
        KeySource keys = KeySource.of(KeySet.of(List.<JWK>of(rsa, ec, ed)));
        cold = JwtVerifier.builder(keys).issuer(TestKeys.ISSUER).audiences(List.of(TestKeys.AUDIENCE))
                .cacheSize(0).build();
        cached = JwtVerifier.builder(keys).issuer(TestKeys.ISSUER).audiences(List.of(TestKeys.AUDIENCE)).build();
        JWTClaimsSet claims = TestKeys.claims(Instant.now())
                .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(2))))
                .claim("scope", "openid profile email orders:read orders:write")
                .claim("realm_access", Map.of("roles", List.of("customer", "beta-tester")))
                .claim("email", "alice@example.com").claim("azp", "web-app").jwtID("3f2a8c1e-5b6d-4e7f")
                .build();
        rs256 = TestKeys.sign(rsa, JWSAlgorithm.RS256, claims);
        es256 = TestKeys.sign(ec, JWSAlgorithm.ES256, claims);
        eddsa = TestKeys.sign(ed, JWSAlgorithm.EdDSA, claims);
        for (String token : List.of(rs256, es256, eddsa)) {
            if (!(cold.verify(token).join() instanceof Verified)) {
                throw new IllegalStateException("benchmark token refused: " + cold.verify(token).join());
            }
        }
        cached.verify(rs256).join();
    }

    @Benchmark
    public Object rs256Cold() {
        return cold.verify(rs256).getNow(null);
    }

    @Benchmark
    public Object es256Cold() {
        return cold.verify(es256).getNow(null);
    }

    @Benchmark
    public Object eddsaCold() {
        return cold.verify(eddsa).getNow(null);
    }

    @Benchmark
    public Object rs256Cached() {
        return cached.verify(rs256).getNow(null);
    }
}
