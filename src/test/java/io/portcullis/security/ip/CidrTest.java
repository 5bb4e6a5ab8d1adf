package io.portcullis.security.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "10.0.0.0/8, 10.0.0.0/8, true, 8",
            "192.168.1.7, 192.168.1.7/32, true, 32",
            "0.0.0.0/0, 0.0.0.0/0, true, 0",
            "255.255.255.255/32, 255.255.255.255/32, true, 32",
            "2001:db8::/32, 2001:db8::/32, false, 32",
            "2001:DB8:0:0::/32, 2001:db8::/32, false, 32",
            "::1, ::1/128, false, 128",
            "::/0, ::/0, false, 0",
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128, ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128, false, 128",
            "2001:db8:1:2::/64, 2001:db8:1:2::/64, false, 64",
            "2001:db8:1:2:8000::/65, 2001:db8:1:2:8000::/65, false, 65",
            "::ffff:10.0.0.0/104, 10.0.0.0/8, true, 8",
            "::ffff:1.2.3.4, 1.2.3.4/32, true, 32",
            "::ffff:0:0/96, 0.0.0.0/0, true, 0",
            "'  10.1.0.0/16 ', 10.1.0.0/16, true, 16",
    })
    void parsesToCanonicalForm(String text, String canonical, boolean ipv4, int length) {
        Cidr cidr = Cidr.parse(text);
        assertThat(cidr).hasToString(canonical);
        assertThat(cidr.isIpv4()).isEqualTo(ipv4);
        assertThat(cidr.prefixLength()).isEqualTo(length);
        assertThat(Cidr.parse(canonical)).isEqualTo(cidr).hasSameHashCodeAs(cidr);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "''| empty",
            "10.0.0.0/33| the prefix length must be a number from 0 to 32, was 33",
            "2001:db8::/129| from 0 to 128, was 129",
            "10.0.0.0/| the prefix length must be a number from 0 to 32",
            "10.0.0.0/-1| the prefix length must be a number",
            "10.0.0.0/8/8| the prefix length must be a number",
            "10.0.0.0/ 8| the prefix length must be a number",
            "10.0.0.300/8| 10.0.0.300 is not an IPv4 or IPv6 address",
            "010.0.0.0/8| 010.0.0.0 is not an IPv4 or IPv6 address",
            "10.0.0/8| 10.0.0 is not an IPv4 or IPv6 address",
            "example.com| example.com is not an IPv4 or IPv6 address",
            "10.0.0.1/8| host bits are set; the network is 10.0.0.0/8",
            "192.168.1.5/24| the network is 192.168.1.0/24",
            "2001:db8::1/32| host bits are set; the network is 2001:db8::/32",
            "[::1]| no brackets",
            "fe80::1%eth0/64| no zone",
            "1:2:3:4:5:6:7:8:9| not an IPv4 or IPv6 address",
    })
    void refusesBadTextNamingIt(String text, String reason) {
        assertThatThrownBy(() -> Cidr.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("\"" + text + "\": ")
                .hasMessageContaining(reason);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 31, 32})
    void ipv4BoundsOfEveryLength(int length) {
        Cidr c = Cidr.parse("0.0.0.0/" + length);
        assertThat(Integer.toUnsignedLong(c.lastIpv4()) - Integer.toUnsignedLong(c.firstIpv4()) + 1)
                .isEqualTo(1L << (32 - length));
    }

    @Test
    void ipv6Bounds() {
        Cidr all = Cidr.parse("::/0");
        assertThat(all.lastHigh()).isEqualTo(-1L);
        assertThat(all.lastLow()).isEqualTo(-1L);
        Cidr half = Cidr.parse("8000::/1");
        assertThat(half.firstHigh()).isEqualTo(Long.MIN_VALUE);
        assertThat(half.lastHigh()).isEqualTo(-1L);
        Cidr sixtyFour = Cidr.parse("2001:db8::/64");
        assertThat(sixtyFour.lastHigh()).isEqualTo(sixtyFour.firstHigh());
        assertThat(sixtyFour.lastLow()).isEqualTo(-1L);
        Cidr one = Cidr.parse("2001:db8::1");
        assertThat(one.lastLow()).isEqualTo(one.firstLow());
    }
}
