package io.portcullis.security.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IpSetTest {

    @Test
    void ipv4AndIpv6Membership() {
        IpSet set = IpSet.parse("10.0.0.0/8", "192.168.1.1", "2001:db8::/32", "::1");
        assertThat(set.contains("10.0.0.0")).isTrue();
        assertThat(set.contains("10.255.255.255")).isTrue();
        assertThat(set.contains("11.0.0.0")).isFalse();
        assertThat(set.contains("9.255.255.255")).isFalse();
        assertThat(set.contains("192.168.1.1")).isTrue();
        assertThat(set.contains("192.168.1.2")).isFalse();
        assertThat(set.contains("2001:db8::")).isTrue();
        assertThat(set.contains("2001:DB8:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF")).isTrue();
        assertThat(set.contains("2001:db9::")).isFalse();
        assertThat(set.contains("::1")).isTrue();
        assertThat(set.contains("0:0:0:0:0:0:0:1")).as("Java's long form").isTrue();
        assertThat(set.contains("::2")).isFalse();
        assertThat(set.blocks()).hasSize(4);
        assertThat(set.isEmpty()).isFalse();
    }

    @Test
    void ipv4MappedAddressesAreIpv4() {
        IpSet v4Rules = IpSet.parse("10.0.0.0/8");
        assertThat(v4Rules.contains("::ffff:10.1.2.3")).isTrue();
        assertThat(v4Rules.contains("::FFFF:10.1.2.3")).isTrue();
        assertThat(v4Rules.contains("::ffff:a01:203")).as("hex spelling").isTrue();
        assertThat(v4Rules.contains("::ffff:11.1.2.3")).isFalse();
        IpSet mappedRules = IpSet.parse("::ffff:192.168.0.0/112");
        assertThat(mappedRules.contains("192.168.3.4")).isTrue();
        assertThat(mappedRules.contains("::ffff:192.168.3.4")).isTrue();
        assertThat(mappedRules.contains("192.169.0.0")).isFalse();
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 10;
        assertThat(v4Rules.contains(mapped)).isTrue();
    }

    @Test
    void slashZeroCoversOneFamilyOnly() {
        IpSet allV4 = IpSet.parse("0.0.0.0/0");
        assertThat(allV4.contains("0.0.0.0")).isTrue();
        assertThat(allV4.contains("255.255.255.255")).isTrue();
        assertThat(allV4.contains("::ffff:1.2.3.4")).isTrue();
        assertThat(allV4.contains("::1")).isFalse();
        IpSet allV6 = IpSet.parse("::/0");
        assertThat(allV6.contains("::")).isTrue();
        assertThat(allV6.contains("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")).isTrue();
        assertThat(allV6.contains("1.2.3.4")).as("IPv4 clients are not IPv6 clients").isFalse();
        assertThat(allV6.contains("::ffff:1.2.3.4")).isFalse();
    }

    @Test
    void hostRoutesAtTheEdgesOfTheSpace() {
        IpSet set = IpSet.parse("0.0.0.0/32", "255.255.255.255/32", "::/128",
                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "128.0.0.0/32",
                "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
        assertThat(set.contains("0.0.0.0")).isTrue();
        assertThat(set.contains("0.0.0.1")).isFalse();
        assertThat(set.contains("255.255.255.255")).isTrue();
        assertThat(set.contains("255.255.255.254")).isFalse();
        assertThat(set.contains("128.0.0.0")).as("sign bit").isTrue();
        assertThat(set.contains("127.255.255.255")).isFalse();
        assertThat(set.contains("::")).isTrue();
        assertThat(set.contains("::1")).isFalse();
        assertThat(set.contains("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")).isTrue();
        assertThat(set.contains("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe")).isFalse();
        assertThat(set.contains("7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")).isTrue();
        assertThat(set.contains("8000::")).isFalse();
    }

    @Test
    void overlappingAndAdjacentBlocksMerge() {
        IpSet set = IpSet.parse("10.0.0.0/8", "10.1.0.0/16", "10.1.2.3", "11.0.0.0/8", "13.0.0.0/8",
                "2001:db8::/33", "2001:db8:8000::/33", "2001:db8:1::/48", "::/128", "::1", "ffff::/16",
                "ffff:ffff::/32");
        assertThat(set.rangeCount()).as("10/8+11/8, 13/8, 2001:db8::/32, ::/127, ffff::/16").isEqualTo(5);
        assertThat(set.contains("11.255.255.255")).isTrue();
        assertThat(set.contains("12.0.0.0")).isFalse();
        assertThat(set.contains("2001:db8:ffff::1")).isTrue();
        assertThat(set.contains("::1")).isTrue();
        assertThat(set.contains("::2")).isFalse();
        assertThat(set.contains("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")).isTrue();
        assertThat(set.blocks()).as("as given").hasSize(12);
    }

    @Test
    void textThatIsNoAddressIsNotContained() {
        IpSet set = IpSet.parse("0.0.0.0/0", "::/0");
        for (String bad : new String[] {"", "1.2.3", "1.2.3.4.5", "01.2.3.4", "256.1.1.1", "1.2.3.4 ", " 1.2.3.4",
                "[::1]", "example.com", "1.2.3.4:80", "::g", "1:2:3:4:5:6:7:8:9"}) {
            assertThat(set.contains(bad)).as(bad).isFalse();
        }
        assertThat(set.contains("fe80::1%eth0")).as("a zone, as getHostAddress() writes it, is ignored").isTrue();
    }

    @Test
    void bytesAndInetAddresses() throws Exception {
        IpSet set = IpSet.parse("192.0.2.0/24", "2001:db8::/32");
        assertThat(set.contains(new byte[] {(byte) 192, 0, 2, 55})).isTrue();
        assertThat(set.contains(InetAddress.getByName("192.0.3.1"))).isFalse();
        assertThat(set.contains(InetAddress.getByName("2001:db8::5"))).isTrue();
        assertThatThrownBy(() -> set.contains(new byte[5])).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an IP address has 4 or 16 bytes, was 5");
    }

    @Test
    void emptySet() {
        assertThat(IpSet.parse().isEmpty()).isTrue();
        assertThat(IpSet.empty().contains("1.2.3.4")).isFalse();
        assertThat(IpSet.empty().contains("::1")).isFalse();
        assertThat(IpSet.empty().current()).isSameAs(IpSet.empty());
    }

    /** 10,000 random blocks of every length, checked against a plain scan over the blocks. */
    @Test
    void largeSetsAgreeWithANaiveScan() {
        Random random = new Random(20240601);
        List<Cidr> blocks = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            blocks.add(random.nextInt(3) == 0 ? randomIpv6Block(random) : randomIpv4Block(random));
        }
        IpSet set = IpSet.of(blocks);
        assertThat(set.rangeCount()).isLessThanOrEqualTo(blocks.size());
        int inside = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] address = probe(random, blocks);
            boolean expected = naive(blocks, address);
            String text = NetUtil.bytesToIpAddress(address);
            assertThat(set.contains(address)).as(text).isEqualTo(expected);
            assertThat(set.contains(text)).as(text).isEqualTo(expected);
            if (address.length == 4) {
                assertThat(set.contains("::ffff:" + text)).as("mapped " + text).isEqualTo(expected);
            }
            inside += expected ? 1 : 0;
        }
        assertThat(inside).as("the probes hit both sides").isBetween(2_000, 18_000);
    }

    private static Cidr randomIpv4Block(Random random) {
        int length = 8 + random.nextInt(25);
        int address = random.nextInt() & Cidr.ipv4Mask(length);
        return Cidr.parse(IpAddresses.ipv4Text(address) + "/" + length);
    }

    private static Cidr randomIpv6Block(Random random) {
        int length = 16 + random.nextInt(113);
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        bytes[0] = 0x20; // stay out of ::ffff:0:0/96, which is IPv4
        long high = IpAddresses.high(bytes) & Cidr.highMask(length);
        long low = IpAddresses.low(bytes) & Cidr.lowMask(length);
        return Cidr.parse(NetUtil.bytesToIpAddress(bytes(high, low)) + "/" + length);
    }

    /** Half random, half right at or beside the bounds of a random block. */
    private static byte[] probe(Random random, List<Cidr> blocks) {
        Cidr c = blocks.get(random.nextInt(blocks.size()));
        int edge = random.nextInt(6);
        if (c.isIpv4()) {
            int v = switch (edge) {
                case 0 -> c.firstIpv4();
                case 1 -> c.firstIpv4() - 1;
                case 2 -> c.lastIpv4();
                case 3 -> c.lastIpv4() + 1;
                default -> random.nextInt();
            };
            return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        }
        long high;
        long low;
        switch (edge) {
            case 0 -> {
                high = c.firstHigh();
                low = c.firstLow();
            }
            case 1 -> {
                high = c.firstLow() == 0 ? c.firstHigh() - 1 : c.firstHigh();
                low = c.firstLow() - 1;
            }
            case 2 -> {
                high = c.lastHigh();
                low = c.lastLow();
            }
            case 3 -> {
                high = c.lastLow() == -1L ? c.lastHigh() + 1 : c.lastHigh();
                low = c.lastLow() + 1;
            }
            default -> {
                high = 0x2000_0000_0000_0000L | random.nextLong() >>> 8;
                low = random.nextLong();
            }
        }
        byte[] b = bytes(high, low);
        return IpAddresses.isMappedIpv4(b) ? bytes(high, low ^ 1L << 40) : b;
    }

    private static boolean naive(List<Cidr> blocks, byte[] address) {
        for (Cidr c : blocks) {
            if (address.length == 4 && c.isIpv4()) {
                int mask = Cidr.ipv4Mask(c.prefixLength());
                if ((IpAddresses.ipv4(address, 0) & mask) == c.firstIpv4()) {
                    return true;
                }
            } else if (address.length == 16 && !c.isIpv4()) {
                if ((IpAddresses.high(address) & Cidr.highMask(c.prefixLength())) == c.firstHigh()
                        && (IpAddresses.low(address) & Cidr.lowMask(c.prefixLength())) == c.firstLow()) {
                    return true;
                }
            }
        }
        return false;
    }

    private static byte[] bytes(long high, long low) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (high >>> (56 - 8 * i));
            b[8 + i] = (byte) (low >>> (56 - 8 * i));
        }
        return b;
    }
}
