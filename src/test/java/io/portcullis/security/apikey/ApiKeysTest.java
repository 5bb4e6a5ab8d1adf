package io.portcullis.security.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

    @Test
    void keysArePrefixedBase64UrlOf32RandomBytes() {
        Set<String> seen = new HashSet<>();
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 100; i++) {
            String key = ApiKeys.generate(random);
            assertThat(key).matches("pk_[A-Za-z0-9_-]{43}");
            assertThat(seen.add(key)).isTrue();
        }
    }

    @Test
    void hashIsSha256InLowerCaseHex() {
        // echo -n abc | sha256sum
        assertThat(ApiKeys.hash("abc"))
                .isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(ApiKeys.parseHash(ApiKeys.hash("abc"))).hasSize(32);
        assertThat(ApiKeys.canonical("sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"))
                .isEqualTo(ApiKeys.hash("abc"));
    }

    @Test
    void badHashesAreNamed() {
        assertThatThrownBy(() -> ApiKeys.parseHash("sha256:abc"))
                .hasMessage("\"sha256:abc\" is not a key hash: expected sha256: followed by 64 hex digits"
                        + " (portcullis keys hash prints one)");
        assertThatThrownBy(() -> ApiKeys.parseHash("md5:" + "0".repeat(67)))
                .hasMessageStartingWith("\"md5:000").hasMessageContaining("is not a key hash");
        assertThatThrownBy(() -> ApiKeys.parseHash("sha256:" + "g".repeat(64)))
                .hasMessageContaining("not hex after sha256:");
        String pastedKey = ApiKeys.generate(new SecureRandom()) + ApiKeys.generate(new SecureRandom());
        assertThatThrownBy(() -> ApiKeys.parseHash(pastedKey))
                .as("a long value, maybe a pasted key, is cut in the message")
                .hasMessageNotContaining(pastedKey.substring(20));
    }

    @Test
    void emptyAndHugeKeysAreNotHashed() {
        assertThatThrownBy(() -> ApiKeys.hash("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ApiKeys.hash("x".repeat(1025))).isInstanceOf(IllegalArgumentException.class);
    }
}
