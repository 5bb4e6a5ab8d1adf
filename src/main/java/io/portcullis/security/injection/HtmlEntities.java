package io.portcullis.security.injection;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Decodes HTML character references, one step of {@link Normalizer}: a browser decodes them inside attribute values
 * and text before it looks at a URL scheme or runs an event handler, so {@code &#106;avascript&colon;} must reach
 * the detectors as {@code javascript:}. Numeric references are decoded with or without the closing semicolon, as
 * browsers do; named ones need it, except the four legacy names that browsers also accept bare. The named table is
 * the punctuation and markup subset that obfuscated payloads use, not all of HTML's 2,000 names: a letter such as
 * {@code &eacute;} cannot make a value more dangerous.
 */
final class HtmlEntities {
    private static final int MAX_NAME = 10;
    private static final int MAX_DIGITS = 8;
    /** Names browsers decode without a semicolon when no letter, digit or '=' follows. */
    private static final Set<String> LEGACY = Set.of("lt", "gt", "amp", "quot");
    private static final Map<String, Character> NAMED = Map.ofEntries(
            Map.entry("lt", '<'), Map.entry("gt", '>'), Map.entry("amp", '&'), Map.entry("quot", '"'),
            Map.entry("apos", '\''), Map.entry("nbsp", ' '), Map.entry("tab", '\t'), Map.entry("newline", '\n'),
            Map.entry("colon", ':'), Map.entry("semi", ';'), Map.entry("comma", ','), Map.entry("period", '.'),
            Map.entry("lpar", '('), Map.entry("rpar", ')'), Map.entry("lsqb", '['), Map.entry("rsqb", ']'),
            Map.entry("lbrack", '['), Map.entry("rbrack", ']'), Map.entry("lcub", '{'), Map.entry("rcub", '}'),
            Map.entry("lbrace", '{'), Map.entry("rbrace", '}'), Map.entry("sol", '/'), Map.entry("bsol", '\\'),
            Map.entry("num", '#'), Map.entry("excl", '!'), Map.entry("equals", '='), Map.entry("grave", '`'),
            Map.entry("plus", '+'), Map.entry("percnt", '%'), Map.entry("dollar", '$'), Map.entry("quest", '?'),
            Map.entry("commat", '@'), Map.entry("ast", '*'), Map.entry("midast", '*'), Map.entry("verbar", '|'),
            Map.entry("vert", '|'), Map.entry("lowbar", '_'), Map.entry("hat", '^'), Map.entry("dash", '-'),
            Map.entry("hyphen", '-'));

    private HtmlEntities() {}

    /** Returns {@code s} itself when it holds no reference, else the decoded text. */
    static String decode(String s) {
        int amp = s.indexOf('&');
        if (amp < 0) {
            return s;
        }
        StringBuilder out = null;
        int copied = 0;
        for (int i = amp; i >= 0 && i < s.length(); i = s.indexOf('&', i)) {
            int[] decoded = reference(s, i);
            if (decoded == null) {
                i++;
                continue;
            }
            if (out == null) {
                out = new StringBuilder(s.length());
            }
            out.append(s, copied, i).appendCodePoint(decoded[0]);
            i = decoded[1];
            copied = i;
        }
        return out == null ? s : out.append(s, copied, s.length()).toString();
    }

    /** The reference at {@code amp}: {code point, index after it}, or null when there is none. */
    private static int[] reference(String s, int amp) {
        int i = amp + 1;
        if (i < s.length() && s.charAt(i) == '#') {
            return numeric(s, i + 1);
        }
        int start = i;
        while (i < s.length() && i - start <= MAX_NAME && isAsciiLetter(s.charAt(i))) {
            i++;
        }
        if (i == start) {
            return null;
        }
        String name = s.substring(start, i).toLowerCase(Locale.ROOT);
        Character c = NAMED.get(name);
        if (c == null) {
            return null;
        }
        if (i < s.length() && s.charAt(i) == ';') {
            return new int[] {c, i + 1};
        }
        boolean atBoundary = i == s.length() || !Character.isLetterOrDigit(s.charAt(i)) && s.charAt(i) != '=';
        return atBoundary && LEGACY.contains(name) ? new int[] {c, i} : null;
    }

    private static int[] numeric(String s, int i) {
        boolean hex = i < s.length() && (s.charAt(i) == 'x' || s.charAt(i) == 'X');
        if (hex) {
            i++;
        }
        int start = i;
        long value = 0;
        while (i < s.length() && i - start < MAX_DIGITS) {
            int digit = Normalizer.hexDigit(s.charAt(i));
            if (digit < 0 || !hex && digit > 9) {
                break;
            }
            value = value * (hex ? 16 : 10) + digit;
            i++;
        }
        if (i == start || value > Character.MAX_CODE_POINT || value >= 0xD800 && value <= 0xDFFF) {
            return null;
        }
        if (i < s.length() && s.charAt(i) == ';') {
            i++;
        }
        return new int[] {(int) value, i};
    }

    private static boolean isAsciiLetter(char c) {
        return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
    }
}
