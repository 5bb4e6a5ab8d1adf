package io.portcullis.security.injection;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Turns a request value into the text a backend or browser would finally act on, before detection: percent
 * decoding (also IIS-style {@code %uXXXX}, and {@code '+'} as a space in query and form values), HTML character
 * references, JavaScript and JSON backslash escapes ({@link BackslashEscapes}), Unicode NFKC (fullwidth
 * {@code ＜ＳＣＲＩＰＴ＞} becomes {@code <SCRIPT>}), removal of NUL characters and lower case. Decoding repeats, up
 * to {@value #MAX_ROUNDS} rounds, because a value decoded twice on its way (by a proxy and again by the application)
 * hides {@code '} as {@code %2527}; the bound keeps the work linear.
 * SQL comments are not touched here: whether {@code /*} starts a comment depends on the SQL quoting context, which
 * only {@link SqlTokenizer} knows.
 *
 * <p>{@link #needsWork} lets the caller skip the copy: the detectors match ASCII letters without regard to case,
 * so a value with nothing to decode is scanned as it came.
 */
final class Normalizer {
    static final int MAX_ROUNDS = 3;

    private Normalizer() {}

    /** True when {@link #normalize} could change more than the case of {@code s}. */
    static boolean needsWork(CharSequence s, boolean plusAsSpace) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c == '%' || c == '&' || c == '\\' || c == 0 || c >= 0x80 || c == '+' && plusAsSpace) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when {@code raw} reads as form-encoded although it did not arrive as a query or form value: it holds a
     * percent escape and a '+', and no white space (which a form encoder never leaves). A header, a path segment or
     * a JSON string carrying such a value may be form-decoded by the backend, '+' becoming a space.
     */
    static boolean mayBeFormEncoded(CharSequence raw) {
        boolean plus = false;
        boolean escape = false;
        for (int i = 0, n = raw.length(); i < n; i++) {
            char c = raw.charAt(i);
            if (c <= ' ') {
                return false;
            }
            plus |= c == '+';
            escape |= c == '%' && i + 2 < n && hexDigit(raw.charAt(i + 1)) >= 0 && hexDigit(raw.charAt(i + 2)) >= 0;
        }
        return plus && escape;
    }

    /**
     * The decoded, lower-case form of {@code value}.
     *
     * @param plusAsSpace decode {@code '+'} as a space in the first round (query strings and form bodies); a '+'
     *                    that only appears after decoding {@code %2B} stays a plus
     */
    static String normalize(CharSequence value, boolean plusAsSpace) {
        String s = value.toString();
        for (int round = 0; round < MAX_ROUNDS; round++) {
            String next = BackslashEscapes.decode(HtmlEntities.decode(percentDecode(s, plusAsSpace && round == 0)));
            if (hasNonAscii(next)) {
                next = java.text.Normalizer.normalize(next, java.text.Normalizer.Form.NFKC);
            }
            if (next.equals(s)) {
                break;
            }
            s = next;
        }
        if (s.indexOf(0) >= 0) {
            s = s.replace("\0", "");
        }
        return s.toLowerCase(Locale.ROOT);
    }

    /** Returns {@code s} itself when there is nothing to decode; malformed escapes are kept as they are. */
    static String percentDecode(String s, boolean plusAsSpace) {
        if (!(plusAsSpace && s.indexOf('+') >= 0) && !hasEscape(s)) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        byte[] bytes = null;
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '+' && plusAsSpace) {
                out.append(' ');
                i++;
            } else if (c == '%' && i + 1 < n && (s.charAt(i + 1) | 0x20) == 'u' && hex(s, i + 2, 4) >= 0) {
                out.append((char) hex(s, i + 2, 4));
                i += 6;
            } else if (c == '%' && hex(s, i + 1, 2) >= 0) {
                // A run of escaped bytes is one UTF-8 sequence (or several): decode the run together.
                if (bytes == null) {
                    bytes = new byte[(n - i) / 3 + 1];
                }
                int count = 0;
                boolean ascii = true;
                while (i + 2 < n && s.charAt(i) == '%' && hex(s, i + 1, 2) >= 0) {
                    int b = hex(s, i + 1, 2);
                    ascii &= b < 0x80;
                    bytes[count++] = (byte) b;
                    i += 3;
                }
                if (ascii) {
                    for (int k = 0; k < count; k++) {
                        out.append((char) bytes[k]);
                    }
                } else {
                    out.append(new String(bytes, 0, count, StandardCharsets.UTF_8));
                }
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static boolean hasEscape(String s) {
        for (int i = s.indexOf('%'); i >= 0; i = s.indexOf('%', i + 1)) {
            if (hex(s, i + 1, 2) >= 0 || i + 1 < s.length() && (s.charAt(i + 1) | 0x20) == 'u' && hex(s, i + 2, 4) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** The value of {@code digits} hex digits at {@code from}, or -1. */
    private static int hex(String s, int from, int digits) {
        if (from + digits > s.length()) {
            return -1;
        }
        int value = 0;
        for (int i = from; i < from + digits; i++) {
            int d = hexDigit(s.charAt(i));
            if (d < 0) {
                return -1;
            }
            value = value << 4 | d;
        }
        return value;
    }

    static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        int lower = c | 0x20;
        return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
    }

    private static boolean hasNonAscii(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            if (s.charAt(i) >= 0x80) {
                return true;
            }
        }
        return false;
    }
}
