package io.portcullis.security.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Route configuration mistakes fail at build time, naming the field. */
class JwtVerifierBuilderTest {
    private static final byte[] SECRET_32 = new byte[32];

    private static JwtVerifierBuilder builder() {
        return JwtVerifier.builder(KeySource.of(KeySet.EMPTY));
    }

    @Test
    void hmacAlgorithmsNeedALongEnoughSecret() {
        assertThatThrownBy(() -> builder().algorithms(List.of("RS256", "HS256")).build())
                .hasMessage("algorithms: HS256 needs an hmacSecret");
        assertThatThrownBy(() -> builder().hmacSecret(new byte[16]).build())
                .hasMessage("hmacSecret must be at least 32 bytes, was 16");
        assertThatThrownBy(() -> builder().hmacSecret(SECRET_32).algorithms(List.of("HS512")).build())
                .hasMessage("hmacSecret must be at least 64 bytes for HS512, was 32");
        assertThat(builder().hmacSecret(new byte[64]).build().algorithms())
                .contains(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);
    }

    @Test
    void noneAndUnknownAlgorithmsAreRefused() {
        assertThatThrownBy(() -> builder().algorithms(List.of("RS256", "none", "XS1")).build())
                .hasMessageStartingWith("algorithms: unsupported [none, XS1]");
        assertThatThrownBy(() -> builder().algorithms(List.of()).build())
                .hasMessage("algorithms must not be empty");
    }

    @Test
    void numbersAndNamesAreChecked() {
        assertThatThrownBy(() -> builder().clockSkew(Duration.ofSeconds(-1)).build())
                .hasMessage("clockSkew must be >= 0, was PT-1S");
        assertThatThrownBy(() -> builder().maxTokenBytes(0).build()).hasMessage("maxTokenBytes must be > 0, was 0");
        assertThatThrownBy(() -> builder().cacheSize(-1).build()).hasMessage("cacheSize must be >= 0, was -1");
        assertThatThrownBy(() -> builder().issuer(" ").build()).hasMessage("issuer must not be blank");
        assertThatThrownBy(() -> builder().audiences(List.of("a", "")).build())
                .hasMessage("audiences must not hold a blank value");
    }
}
