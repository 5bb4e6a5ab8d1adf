package io.portcullis.security.ip;

import io.netty.util.NetUtil;

/**
 * Address text and bytes to the numbers {@link IpSet} compares, without DNS. IPv4 is parsed by hand into an int, so
 * the common case allocates nothing; IPv6 goes through Netty's parser (a substring and 16 bytes).
 *
 * <p>IPv4 text is strict dotted quad: four decimal octets, no leading zeros, since {@code 010.0.0.1} is octal to
 * some parsers and decimal to others, and a list must not mean two things.
 */
final class IpAddresses {
    private IpAddresses() {}

    /** The address as an unsigned 32-bit value, or -1 when {@code s[from, to)} is not a dotted quad. */
    static long parseIpv4(CharSequence s, int from, int to) {
        int length = to - from;
        if (length < 7 || length > 15) {
            return -1;
        }
        long result = 0;
        int dots = 0;
        int value = 0;
        int digits = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                if (digits == 1 && value == 0) {
                    return -1;
                }
                value = value * 10 + (c - '0');
                digits++;
                if (value > 255) {
                    return -1;
                }
            } else if (c == '.' && digits > 0 && dots < 3) {
                result = (result << 8) | value;
                dots++;
                value = 0;
                digits = 0;
            } else {
                return -1;
            }
        }
        return digits == 0 || dots != 3 ? -1 : (result << 8) | value;
    }

    /**
     * The 16 bytes of the IPv6 address in {@code s[from, to)}, or null. A zone ({@code fe80::1%eth0}, as
     * {@code InetAddress.getHostAddress()} writes it) is ignored; brackets are not accepted here.
     */
    static byte[] parseIpv6(CharSequence s, int from, int to) {
        if (to - from < 2 || to - from > 100 || s.charAt(from) == '[') {
            return null;
        }
        String text = from == 0 && to == s.length() && s instanceof String whole ? whole
                : s.subSequence(from, to).toString();
        if (text.indexOf(':') < 0) {
            return null;
        }
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(text);
        return bytes != null && bytes.length == 16 ? bytes : null;
    }

    /** {@code ::ffff:a.b.c.d}: an IPv4 address in IPv6 clothing, compared as IPv4. */
    static boolean isMappedIpv4(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    static int ipv4(byte[] b, int offset) {
        return (b[offset] & 0xff) << 24 | (b[offset + 1] & 0xff) << 16 | (b[offset + 2] & 0xff) << 8
                | (b[offset + 3] & 0xff);
    }

    static long high(byte[] b) {
        return bits(b, 0);
    }

    static long low(byte[] b) {
        return bits(b, 8);
    }

    private static long bits(byte[] b, int offset) {
        long v = 0;
        for (int i = offset; i < offset + 8; i++) {
            v = v << 8 | (b[i] & 0xff);
        }
        return v;
    }

    static String ipv4Text(int address) {
        return (address >>> 24) + "." + (address >>> 16 & 0xff) + "." + (address >>> 8 & 0xff) + "."
                + (address & 0xff);
    }
}
