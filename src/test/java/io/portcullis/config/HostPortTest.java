package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {

    @Test
    void parsesNamesIpv4AndBracketedIpv6() {
        assertThat(HostPort.parse("localhost:80", 1)).isEqualTo(new HostPort("localhost", 80));
        assertThat(HostPort.parse("127.0.0.1:0", 0)).isEqualTo(new HostPort("127.0.0.1", 0));
        assertThat(HostPort.parse("[::1]:65535", 1)).isEqualTo(new HostPort("::1", 65535));
        assertThat(HostPort.parse("[fe80::1%eth0]:8080", 1)).isEqualTo(new HostPort("fe80::1%eth0", 8080));
    }

    @Test
    void portRangeDependsOnTheCaller() {
        assertThat(HostPort.parse("h:0", 0).port()).isZero();
        assertThatThrownBy(() -> HostPort.parse("h:0", 1)).hasMessageContaining("port 0 out of range")
                .hasMessageContaining("1..65535");
        assertThatThrownBy(() -> HostPort.parse("h:65536", 0)).hasMessageContaining("port 65536 out of range");
    }

    @ParameterizedTest
    @ValueSource(strings = {"host", "host:", ":80", "::1:80", "[::1]", "[::1]80", "[host]:80", "h:8o", "a b:80",
        "h:123456"})
    void rejectsMalformedAddressesNamingTheValue(String text) {
        assertThatThrownBy(() -> HostPort.parse(text, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected host:port or [ipv6]:port")
                .hasMessageContaining("'" + text + "'");
    }
}
