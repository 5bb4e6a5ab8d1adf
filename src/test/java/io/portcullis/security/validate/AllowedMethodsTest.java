package io.portcullis.security.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import org.junit.jupiter.api.Test;

class AllowedMethodsTest {

    @Test
    void allowsListedMethodsCaseSensitively() {
        AllowedMethods methods = AllowedMethods.of("GET", "POST");
        assertThat(methods.check(HttpMethod.GET)).isEmpty();
        assertThat(methods.allows("get")).isFalse();
        assertThat(methods.check(HttpMethod.DELETE)).containsExactly(
                new Violation("method", "DELETE is not allowed; allowed: GET, POST", "method_not_allowed"));
        assertThat(methods.allowHeader()).isEqualTo("GET, POST");
        assertThat(AllowedMethods.any().allows(HttpMethod.valueOf("PURGE"))).isTrue();
    }

    @Test
    void refusesBadConfig() {
        assertThatThrownBy(() -> AllowedMethods.of("GET", "BAD METHOD"))
                .hasMessage("method 'BAD METHOD' is not a valid method token");
        assertThatThrownBy(() -> AllowedMethods.of(List.of())).hasMessageContaining("at least one");
    }
}
