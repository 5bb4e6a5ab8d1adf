package io.portcullis.security.injection;

/**
 * Decodes the backslash escapes of JavaScript and JSON strings, one step of {@link Normalizer}. A value that a page
 * copies into a script string and from there into the DOM becomes markup only there:
 * <code>&#92;u003cscript&#92;u003e</code> and <code>&#92;x3cscript&#92;x3e</code> are {@code <script>} to the
 * browser, and <code>&lt;&#92;/script&gt;</code> is how JSON writes a closing tag. A quote escaped with a backslash
 * (<code>admin&#92;" OR &#92;"1&#92;"=&#92;"1</code>) is a quote again once a JSON parser or PHP's
 * {@code stripslashes} has read it, before the value reaches a query. Only these escapes are decoded: backslash-u
 * with four hex digits or with braces, backslash-x with two, and a backslash before a quote, backtick, slash or
 * backslash. A Windows path such as <code>C:&#92;Users&#92;new</code> keeps its backslashes.
 */
final class BackslashEscapes {
    /** The most hex digits between the braces of a backslash-u escape: the highest code point has six. */
    private static final int MAX_BRACED_DIGITS = 6;

    private BackslashEscapes() {}

    /** Returns {@code s} itself when it holds no escape, else the decoded text. */
    static String decode(String s) {
        int slash = s.indexOf('\\');
        if (slash < 0) {
            return s;
        }
        StringBuilder out = null;
        int copied = 0;
        for (int i = slash; i >= 0 && i < s.length(); i = s.indexOf('\\', i)) {
            long decoded = escape(s, i);
            if (decoded < 0) {
                i++;
                continue;
            }
            if (out == null) {
                out = new StringBuilder(s.length());
            }
            out.append(s, copied, i).appendCodePoint((int) (decoded >>> 32));
            i = (int) decoded;
            copied = i;
        }
        return out == null ? s : out.append(s, copied, s.length()).toString();
    }

    /** The escape at {@code slash}, packed as (code point << 32 | index after it), or -1 when there is none. */
    private static long escape(String s, int slash) {
        char c = slash + 1 < s.length() ? s.charAt(slash + 1) : 0;
        int from = slash + 2;
        return switch (c) {
            case '\'', '"', '`', '/', '\\' -> (long) c << 32 | from;
            case 'x' -> packed(hex(s, from, from + 2), from + 2);
            case 'u' -> {
                if (from < s.length() && s.charAt(from) == '{') {
                    int close = from + 1;
                    while (close < s.length() && close - from <= MAX_BRACED_DIGITS && s.charAt(close) != '}') {
                        close++;
                    }
                    boolean closed = close < s.length() && s.charAt(close) == '}';
                    yield closed ? packed(hex(s, from + 1, close), close + 1) : -1;
                }
                yield packed(hex(s, from, from + 4), from + 4);
            }
            default -> -1;
        };
    }

    private static long packed(int codePoint, int end) {
        // a surrogate stays: JSON writes an emoji as two escaped halves
        return codePoint < 0 || codePoint > Character.MAX_CODE_POINT ? -1 : (long) codePoint << 32 | end;
    }

    /** The value of the hex digits in [from, to), or -1 when there are none or one is not a hex digit. */
    private static int hex(String s, int from, int to) {
        if (to > s.length() || to <= from) {
            return -1;
        }
        int value = 0;
        for (int i = from; i < to; i++) {
            int d = Normalizer.hexDigit(s.charAt(i));
            if (d < 0) {
                return -1;
            }
            value = value << 4 | d;
        }
        return value;
    }
}
