package io.portcullis.security.ip;

/**
 * Finds the address in one hop of {@code X-Forwarded-For} or one element of {@code Forwarded} (RFC 7239) without
 * copying: the answer is the address's {@code [from, to)} inside the header value, packed into a long
 * ({@link #from}, {@link #to}), or {@link #NONE} when the hop names no usable address. Whether the text between is
 * really an address is left to {@link IpSet#lookup}, which parses it anyway.
 *
 * <p>Accepted nodes: {@code 1.2.3.4}, {@code 1.2.3.4:5678}, {@code [2001:db8::1]}, {@code [2001:db8::1]:443}, and in
 * {@code X-Forwarded-For} only a bare {@code 2001:db8::1}. A port may be an RFC 7239 obfuscated one
 * ({@code _abc}). {@code unknown}, obfuscated identifiers ({@code _hidden}), zones and anything else are
 * {@link #NONE}: the walk stops there rather than guess.
 */
final class HopSyntax {
    static final long NONE = -1;

    private HopSyntax() {}

    static int from(long span) {
        return (int) (span >>> 32);
    }

    static int to(long span) {
        return (int) span;
    }

    /** The address in one comma-separated {@code X-Forwarded-For} entry {@code s[from, to)}. */
    static long xForwardedFor(String s, int from, int to) {
        int a = skipSpace(s, from, to);
        int b = trimSpace(s, a, to);
        return node(s, a, b, true);
    }

    /**
     * The address of the {@code for} parameter in one comma-separated {@code Forwarded} element {@code s[from, to)}:
     * {@link #NONE} when the element has no {@code for}, has it twice, or its value is malformed, unknown or
     * obfuscated.
     *
     * <p>Pairs are split on every {@code ;} and elements (by the caller) on every {@code ,}, quoted or not. A real
     * {@code for} value never holds either, and quote-aware splitting would let a client's unterminated quote
     * swallow the element a trusted proxy appended after it on the same line.
     */
    static long forwardedFor(String s, int from, int to) {
        long found = NONE;
        boolean seen = false;
        int start = from;
        while (true) {
            int semicolon = indexOf(s, ';', start, to);
            int end = semicolon < 0 ? to : semicolon;
            int a = skipSpace(s, start, end);
            int b = trimSpace(s, a, end);
            int eq = indexOf(s, '=', a, b);
            if (eq <= a) {
                return NONE; // an empty pair or one without a name
            }
            if (eq - a == 3 && s.regionMatches(true, a, "for", 0, 3)) {
                if (seen) {
                    return NONE;
                }
                seen = true;
                found = forValue(s, eq + 1, b);
            }
            if (semicolon < 0) {
                return found;
            }
            start = semicolon + 1;
        }
    }

    private static long forValue(String s, int from, int to) {
        if (from < to && s.charAt(from) == '"') {
            if (to - from < 2 || s.charAt(to - 1) != '"') {
                return NONE;
            }
            from++;
            to--;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                return NONE; // no address needs escaping; a quote inside is garbage
            }
        }
        return node(s, from, to, false);
    }

    /** {@code address}, {@code address:port} or {@code [v6]}/{@code [v6]:port} in {@code s[from, to)}. */
    private static long node(String s, int from, int to, boolean bareIpv6) {
        if (from >= to || s.charAt(from) == '_' || indexOf(s, '%', from, to) >= 0) {
            return NONE;
        }
        if (s.charAt(from) == '[') {
            int close = indexOf(s, ']', from, to);
            if (close < 0 || close == from + 1) {
                return NONE;
            }
            if (close + 1 < to && (s.charAt(close + 1) != ':' || !port(s, close + 2, to))) {
                return NONE;
            }
            return span(from + 1, close);
        }
        int colon = indexOf(s, ':', from, to);
        if (colon < 0) {
            return span(from, to);
        }
        if (indexOf(s, ':', colon + 1, to) >= 0) {
            return bareIpv6 ? span(from, to) : NONE;
        }
        return port(s, colon + 1, to) ? span(from, colon) : NONE;
    }

    /** 1–65535 in digits, or an RFC 7239 obfuscated port ({@code _} then letters, digits, {@code . _ -}). */
    private static boolean port(String s, int from, int to) {
        if (from >= to) {
            return false;
        }
        if (s.charAt(from) == '_') {
            for (int i = from + 1; i < to; i++) {
                char c = s.charAt(i);
                if (!(Character.isLetterOrDigit(c) && c < 128 || c == '.' || c == '_' || c == '-')) {
                    return false;
                }
            }
            return to - from > 1;
        }
        if (to - from > 5) {
            return false;
        }
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            value = value * 10 + (c - '0');
        }
        return value > 0 && value <= 65535;
    }

    private static long span(int from, int to) {
        return (long) from << 32 | to;
    }

    /** {@code s.indexOf(c, from)} that stops at {@code to}: a long header is never scanned once per hop. */
    static int indexOf(String s, char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    private static int skipSpace(String s, int from, int to) {
        while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
            from++;
        }
        return from;
    }

    private static int trimSpace(String s, int from, int to) {
        while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
            to--;
        }
        return to;
    }
}
