package io.portcullis.security.cors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Defaults fill gaps without overriding the backend unless told to; HSTS only over TLS. */
class SecurityHeadersTest {

    @Test
    void defaultsAreAdded() {
        HttpHeaders response = new DefaultHttpHeaders();
        SecurityHeaders.defaults().applyTo(response, false);
        assertThat(response.get("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(response.get("X-Frame-Options")).isEqualTo("DENY");
        assertThat(response.get("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(response.contains("Content-Security-Policy")).isFalse();
        assertThat(response.contains("Strict-Transport-Security")).isFalse();
        assertThat(response.size()).isEqualTo(3);
    }

    @Test
    void theBackendWinsUnlessOverrideIsSet() {
        HttpHeaders response = new DefaultHttpHeaders().set("x-frame-options", "SAMEORIGIN");
        SecurityHeaders.defaults().applyTo(response, false);
        assertThat(response.getAll("X-Frame-Options")).containsExactly("SAMEORIGIN");

        SecurityHeaders.builder().override(true).build().applyTo(response, false);
        assertThat(response.getAll("X-Frame-Options")).containsExactly("DENY");
    }

    @Test
    void cspAndHstsOnlyWhenConfiguredAndHstsOnlyOverTls() {
        SecurityHeaders headers = SecurityHeaders.builder()
                .contentSecurityPolicy("default-src 'none'; frame-ancestors 'none'")
                .strictTransportSecurity(Duration.ofDays(365), true)
                .remove("x-frame-options")
                .header("Referrer-Policy", "same-origin")
                .build();
        HttpHeaders plain = new DefaultHttpHeaders();
        headers.applyTo(plain, false);
        assertThat(plain.get("Content-Security-Policy")).isEqualTo("default-src 'none'; frame-ancestors 'none'");
        assertThat(plain.contains("Strict-Transport-Security")).isFalse();
        assertThat(plain.contains("X-Frame-Options")).isFalse();
        assertThat(plain.get("Referrer-Policy")).isEqualTo("same-origin");

        HttpHeaders tls = new DefaultHttpHeaders();
        headers.applyTo(tls, true);
        assertThat(tls.get("Strict-Transport-Security")).isEqualTo("max-age=31536000; includeSubDomains");
        assertThat(headers.headers()).extracting(e -> e.getKey()).containsExactly(
                "X-Content-Type-Options", "Referrer-Policy", "Content-Security-Policy", "Strict-Transport-Security");
    }

    @Test
    void noneAddsNothing() {
        HttpHeaders response = new DefaultHttpHeaders();
        SecurityHeaders.none().applyTo(response, true);
        assertThat(response.isEmpty()).isTrue();
    }

    @Test
    void badHeadersAreRefusedAtBuild() {
        assertThatThrownBy(() -> SecurityHeaders.builder().header("X-A", "a\r\nSet-Cookie: x"))
                .hasMessage("security_headers.X-A must not contain CR, LF or NUL");
        assertThatThrownBy(() -> SecurityHeaders.builder().header("X A", "a"))
                .hasMessage("security_headers: 'X A' is not a valid header name");
    }
}
