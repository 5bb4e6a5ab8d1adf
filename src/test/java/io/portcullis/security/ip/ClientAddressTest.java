package io.portcullis.security.ip;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Trusted proxies are 10.0.0.0/8 and 2001:db8:ffff::/48; the client is 198.51.100.7 or 2001:db8::1, and a
 * spoofing client likes to claim 6.6.6.6.
 */
class ClientAddressTest {
    private static final IpSet TRUSTED = IpSet.parse("10.0.0.0/8", "2001:db8:ffff::/48");
    private static final String PROXY = "10.0.0.1";

    private static String xff(String peer, String... lines) {
        return ClientAddress.resolve(peer, List.of(lines), null, TRUSTED);
    }

    private static String forwarded(String peer, String... lines) {
        return ClientAddress.resolve(peer, null, List.of(lines), TRUSTED);
    }

    @Test
    void anUntrustedPeerIsTheClientWhateverItsHeadersSay() {
        assertThat(xff("203.0.113.9", "6.6.6.6")).isEqualTo("203.0.113.9");
        assertThat(forwarded("203.0.113.9", "for=6.6.6.6")).isEqualTo("203.0.113.9");
        assertThat(xff("2001:db8::99", "6.6.6.6")).isEqualTo("2001:db8::99");
    }

    @Test
    void nothingIsTrustedByDefault() {
        assertThat(ClientAddress.resolve(PROXY, List.of("6.6.6.6"), List.of("for=6.6.6.6"), IpSet.empty()))
                .isEqualTo(PROXY);
        HttpHeaders headers = new DefaultHttpHeaders().add("x-forwarded-for", "6.6.6.6");
        assertThat(ClientAddress.resolve(PROXY, headers, IpSet.empty())).isEqualTo(PROXY);
    }

    @Test
    void aTrustedPeerWithoutHeadersIsTheClient() {
        assertThat(ClientAddress.resolve(PROXY, List.of(), List.of(), TRUSTED)).isEqualTo(PROXY);
        assertThat(ClientAddress.resolve(PROXY, null, null, TRUSTED)).isEqualTo(PROXY);
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(delimiter = '|', value = {
            "198.51.100.7| 198.51.100.7",
            "6.6.6.6, 198.51.100.7| 198.51.100.7", // the client's own entry is left of what the proxy appended
            "6.6.6.6, 10.0.0.99, 198.51.100.7| 198.51.100.7", // a client claiming to be a trusted proxy gains nothing
            "198.51.100.7, 10.0.0.5, 10.0.0.6| 198.51.100.7",
            "10.0.0.3, 10.0.0.4| 10.0.0.3", // every hop trusted: the leftmost
            " 198.51.100.7 ,\t10.0.0.5 | 198.51.100.7",
            "198.51.100.7:5678| 198.51.100.7",
            "2001:db8::1| 2001:db8::1",
            "[2001:db8::1]| 2001:db8::1",
            "[2001:db8::1]:443, 2001:db8:ffff::3| 2001:db8::1",
            "::ffff:198.51.100.7| ::ffff:198.51.100.7",
            "198.51.100.7, ::ffff:10.0.0.5| 198.51.100.7", // a mapped trusted proxy is trusted
            "198.51.100.7, garbage, 10.0.0.5| 10.0.0.5", // garbage stops the walk at the last trusted hop
            "6.6.6.6, unknown| 10.0.0.1",
            "198.51.100.7,,| 10.0.0.1",
            "198.51.100.7, | 10.0.0.1",
            "198.51.100.7:99999| 10.0.0.1",
            "198.51.100.7:| 10.0.0.1",
            "[2001:db8::1| 10.0.0.1",
            "[2001:db8::1]x| 10.0.0.1",
            "fe80::1%eth0| 10.0.0.1",
            "01.2.3.4| 10.0.0.1",
            "_hidden| 10.0.0.1",
    })
    void xForwardedForIsWalkedFromTheRight(String header, String client) {
        assertThat(xff(PROXY, header)).isEqualTo(client);
    }

    @Test
    void everyXForwardedForLineCountsInOrder() {
        assertThat(xff(PROXY, "6.6.6.6", "198.51.100.7, 10.0.0.5")).isEqualTo("198.51.100.7");
        assertThat(xff(PROXY, "198.51.100.7", "10.0.0.5")).isEqualTo("198.51.100.7");
        assertThat(xff(PROXY, "10.0.0.4", "10.0.0.5")).isEqualTo("10.0.0.4");
        assertThat(xff(PROXY, "garbage", "10.0.0.5")).isEqualTo("10.0.0.5");
        assertThat(xff(PROXY, "198.51.100.7", "")).as("an empty line is an empty hop").isEqualTo(PROXY);
    }

    @Test
    void peersAreMatchedInAnySpelling() {
        assertThat(xff("2001:db8:ffff:0:0:0:0:1", "198.51.100.7")).isEqualTo("198.51.100.7");
        assertThat(xff("::ffff:10.0.0.1", "198.51.100.7")).isEqualTo("198.51.100.7");
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(delimiter = '|', value = {
            "for=198.51.100.7| 198.51.100.7",
            "for=192.0.2.60;proto=http;by=203.0.113.43| 192.0.2.60",
            "proto=https; For=198.51.100.7 ;by=10.0.0.1| 198.51.100.7",
            "for=6.6.6.6, for=198.51.100.7| 198.51.100.7",
            "for=\"198.51.100.7:8080\"| 198.51.100.7",
            "for=\"[2001:db8::1]\"| 2001:db8::1",
            "for=\"[2001:db8::1]:4711\", for=10.0.0.5| 2001:db8::1",
            "for=\"[2001:db8::1]:_port\"| 2001:db8::1",
            "for=198.51.100.7, for=_hidden, for=10.0.0.5| 10.0.0.5", // obfuscated: stop at the last trusted
            "for=unknown| 10.0.0.1",
            "for=\"_gazonk\"| 10.0.0.1",
            "proto=https| 10.0.0.1", // a hop that does not say who it forwarded for
            "for=198.51.100.7;for=6.6.6.6| 10.0.0.1", // a parameter twice in one element
            "for=2001:db8::1| 10.0.0.1", // IPv6 must be in brackets here
            "for=\"\\\"6.6.6.6\"| 10.0.0.1",
            "for=\"198.51.100.7| 10.0.0.1",
            "for=| 10.0.0.1",
            "=198.51.100.7| 10.0.0.1",
            "for=198.51.100.7;;proto=http| 10.0.0.1",
            // A client's unterminated quote must not swallow what the proxy appended on the same line.
            "for=\"6.6.6.6, for=198.51.100.7| 198.51.100.7",
            "for=\"6.6.6.6;x=\", for=198.51.100.7| 198.51.100.7",
    })
    void forwardedIsWalkedFromTheRight(String header, String client) {
        assertThat(forwarded(PROXY, header)).isEqualTo(client);
    }

    @Test
    void everyForwardedLineCountsInOrder() {
        assertThat(forwarded(PROXY, "for=6.6.6.6", "for=198.51.100.7;proto=https")).isEqualTo("198.51.100.7");
        assertThat(forwarded(PROXY, "for=198.51.100.7", "for=10.0.0.3")).isEqualTo("198.51.100.7");
    }

    @Test
    void xForwardedForWinsWhenBothArePresent() {
        // A proxy that appends X-Forwarded-For passes a client's Forwarded through: it must not be believed.
        assertThat(ClientAddress.resolve(PROXY, List.of("198.51.100.7"), List.of("for=6.6.6.6"), TRUSTED))
                .isEqualTo("198.51.100.7");
        assertThat(ClientAddress.resolve(PROXY, List.of(), List.of("for=198.51.100.7"), TRUSTED))
                .isEqualTo("198.51.100.7");
        // Behind a proxy that writes only Forwarded, the caller picks it explicitly.
        assertThat(ClientAddress.fromForwarded(PROXY, List.of("for=198.51.100.7"), TRUSTED))
                .isEqualTo("198.51.100.7");
        assertThat(ClientAddress.fromXForwardedFor(PROXY, List.of("198.51.100.7"), TRUSTED))
                .isEqualTo("198.51.100.7");
    }

    @Test
    void fromNettyHeaders() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("X-Forwarded-For", "6.6.6.6")
                .add("x-forwarded-for", "198.51.100.7, 10.0.0.2")
                .add("Forwarded", "for=6.6.6.6");
        assertThat(ClientAddress.resolve(PROXY, headers, TRUSTED)).isEqualTo("198.51.100.7");
        HttpHeaders onlyForwarded = new DefaultHttpHeaders().add("Forwarded", "for=\"[2001:db8::1]\"");
        assertThat(ClientAddress.resolve(PROXY, onlyForwarded, TRUSTED)).isEqualTo("2001:db8::1");
        assertThat(ClientAddress.resolve(PROXY, new DefaultHttpHeaders(), TRUSTED)).isEqualTo(PROXY);
    }

    @Test
    void trustedProxiesFromAFileLikeSourceAreReadOncePerCall() {
        int[] reads = {0};
        IpMatcher counting = () -> {
            reads[0]++;
            return TRUSTED;
        };
        assertThat(ClientAddress.resolve(PROXY, List.of("198.51.100.7, 10.0.0.2"), null, counting))
                .isEqualTo("198.51.100.7");
        assertThat(reads[0]).isEqualTo(1);
    }
}
