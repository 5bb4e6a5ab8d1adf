package io.portcullis.security.ip;

import io.netty.util.NetUtil;

/**
 * One block of addresses, {@code 10.0.0.0/8} or {@code 2001:db8::/32}; a bare address is a block of one
 * ({@code /32} or {@code /128}). Parsed from config and list files, never on the request path: {@link IpSet} turns
 * blocks into the ranges it searches.
 *
 * <p>An IPv4-mapped block ({@code ::ffff:10.0.0.0/104}) becomes the IPv4 block it denotes ({@code 10.0.0.0/8}),
 * since clients are matched the same way. A block with host bits set ({@code 10.0.0.1/8}) is refused rather than
 * masked: whoever wrote it meant either the network or the host, and guessing wrong widens access.
 */
public final class Cidr {
    private final boolean ipv4;
    /** The network: IPv4 in the low 32 bits of {@code low}, IPv6 in both. */
    private final long high;
    private final long low;
    private final int prefixLength;

    private Cidr(boolean ipv4, long high, long low, int prefixLength) {
        this.ipv4 = ipv4;
        this.high = high;
        this.low = low;
        this.prefixLength = prefixLength;
    }

    /**
     * Parses {@code address[/length]}, ignoring surrounding whitespace.
     *
     * @throws IllegalArgumentException naming {@code text} and what is wrong with it
     */
    public static Cidr parse(String text) {
        String t = text.strip();
        if (t.isEmpty()) {
            throw invalid(text, "empty");
        }
        int slash = t.indexOf('/');
        int end = slash < 0 ? t.length() : slash;
        if (t.indexOf('%') >= 0 || t.indexOf('[') >= 0) {
            throw invalid(text, "write the bare address: no brackets, no zone");
        }
        long v4 = IpAddresses.parseIpv4(t, 0, end);
        if (v4 >= 0) {
            return ipv4(text, (int) v4, prefix(text, t, slash, 32));
        }
        byte[] bytes = IpAddresses.parseIpv6(t, 0, end);
        if (bytes == null) {
            throw invalid(text, t.substring(0, end) + " is not an IPv4 or IPv6 address");
        }
        int length = prefix(text, t, slash, 128);
        if (IpAddresses.isMappedIpv4(bytes) && length >= 96) {
            return ipv4(text, IpAddresses.ipv4(bytes, 12), length - 96);
        }
        long h = IpAddresses.high(bytes);
        long l = IpAddresses.low(bytes);
        long hm = highMask(length);
        long lm = lowMask(length);
        if ((h & ~hm) != 0 || (l & ~lm) != 0) {
            throw invalid(text, "host bits are set; the network is " + new Cidr(false, h & hm, l & lm, length));
        }
        return new Cidr(false, h, l, length);
    }

    private static Cidr ipv4(String text, int address, int length) {
        int mask = ipv4Mask(length);
        if ((address & ~mask) != 0) {
            throw invalid(text, "host bits are set; the network is "
                    + new Cidr(true, 0, Integer.toUnsignedLong(address & mask), length));
        }
        return new Cidr(true, 0, Integer.toUnsignedLong(address), length);
    }

    private static int prefix(String text, String t, int slash, int max) {
        if (slash < 0) {
            return max;
        }
        String digits = t.substring(slash + 1);
        if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw invalid(text, "the prefix length must be a number from 0 to " + max);
        }
        int length = Integer.parseInt(digits);
        if (length > max) {
            throw invalid(text, "the prefix length must be a number from 0 to " + max + ", was " + length);
        }
        return length;
    }

    private static IllegalArgumentException invalid(String text, String why) {
        return new IllegalArgumentException("\"" + text + "\": " + why);
    }

    public boolean isIpv4() {
        return ipv4;
    }

    /** 0–32 for IPv4, 0–128 for IPv6. */
    public int prefixLength() {
        return prefixLength;
    }

    int firstIpv4() {
        return (int) low;
    }

    int lastIpv4() {
        return (int) low | ~ipv4Mask(prefixLength);
    }

    long firstHigh() {
        return high;
    }

    long firstLow() {
        return low;
    }

    long lastHigh() {
        return high | ~highMask(prefixLength);
    }

    long lastLow() {
        return low | ~lowMask(prefixLength);
    }

    static int ipv4Mask(int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }

    static long highMask(int length) {
        return length == 0 ? 0 : length >= 64 ? -1L : -1L << (64 - length);
    }

    static long lowMask(int length) {
        return length <= 64 ? 0 : length == 128 ? -1L : -1L << (128 - length);
    }

    /** The canonical form: {@code 10.0.0.0/8}, {@code 2001:db8::/32} (RFC 5952), always with the length. */
    @Override
    public String toString() {
        if (ipv4) {
            return IpAddresses.ipv4Text((int) low) + "/" + prefixLength;
        }
        byte[] bytes = new byte[16];
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (high >>> (56 - 8 * i));
            bytes[8 + i] = (byte) (low >>> (56 - 8 * i));
        }
        return NetUtil.bytesToIpAddress(bytes) + "/" + prefixLength;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.ipv4 == ipv4 && c.high == high && c.low == low
                && c.prefixLength == prefixLength;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(high) * 31 * 31 + Long.hashCode(low) * 31 + prefixLength + (ipv4 ? 1 : 0);
    }
}
