package io.portcullis.security.ip;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class IpAccessListTest {

    @Test
    void denyWinsOverAllow() {
        IpAccessList list = new IpAccessList(IpSet.parse("10.0.0.0/8", "2001:db8::/32"),
                IpSet.parse("10.6.6.0/24", "2001:db8:bad::/48"));
        assertThat(list.allows("10.1.2.3")).isTrue();
        assertThat(list.allows("10.6.6.6")).isFalse();
        assertThat(list.allows("11.0.0.1")).as("not on the allow list").isFalse();
        assertThat(list.allows("2001:db8::1")).isTrue();
        assertThat(list.allows("2001:db8:bad::1")).isFalse();
        assertThat(list.allows("2001:db9::1")).isFalse();
    }

    @Test
    void anEmptyAllowSetAllowsEveryoneNotDenied() {
        IpAccessList list = new IpAccessList(IpSet.empty(), IpSet.parse("192.0.2.0/24", "::/0"));
        assertThat(list.allows("8.8.8.8")).isTrue();
        assertThat(list.allows("192.0.2.9")).isFalse();
        assertThat(list.allows("2001:db8::1")).as("::/0 denies IPv6").isFalse();
        assertThat(list.allows("::ffff:8.8.8.8")).as("mapped is IPv4").isTrue();
        assertThat(list.allows("::ffff:192.0.2.1")).isFalse();
    }

    @Test
    void allowAllIsTheNullObject() {
        assertThat(IpAccessList.allowAll().allows("203.0.113.1")).isTrue();
        assertThat(IpAccessList.allowAll().allows("::1")).isTrue();
    }

    @Test
    void anAllowListFromAnEmptySourceOtherThanAFixedSetAllowsNobody() {
        IpMatcher emptiedFile = IpSet::empty; // what an IpListFile looks like once its file is emptied
        IpAccessList list = new IpAccessList(emptiedFile, IpSet.empty());
        assertThat(list.allows("10.0.0.1")).isFalse();
        assertThat(list.allows("::1")).isFalse();
    }

    @Test
    void mappedAddressesFollowIpv4Rules() throws Exception {
        IpAccessList list = new IpAccessList(IpSet.parse("10.0.0.0/8"), IpSet.parse("10.9.0.0/16"));
        assertThat(list.allows("::ffff:10.1.1.1")).isTrue();
        assertThat(list.allows("::ffff:10.9.1.1")).isFalse();
        assertThat(list.allows(new byte[] {10, 1, 1, 1})).isTrue();
        assertThat(list.allows(InetAddress.getByName("10.9.0.1"))).isFalse();
        assertThat(list.allows(InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 10, 1, 0,
                1}))).as("Java turns mapped bytes into an Inet4Address").isTrue();
    }

    @Test
    void textThatIsNoAddressIsRefused() {
        IpAccessList open = new IpAccessList(IpSet.empty(), IpSet.empty());
        assertThat(open.allows("1.2.3.4")).isTrue();
        assertThat(open.allows("unknown")).isFalse();
        assertThat(open.allows("")).isFalse();
        assertThat(open.allows("1.2.3.4:80")).isFalse();
    }
}
