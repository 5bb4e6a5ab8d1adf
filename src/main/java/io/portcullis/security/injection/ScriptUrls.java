package io.portcullis.security.injection;

/**
 * Recognises URLs that run script when followed: {@code javascript:}, {@code vbscript:} and {@code livescript:},
 * and {@code data:} URLs of HTML or SVG documents. Browsers ignore tabs and newlines inside a scheme and control
 * characters before it, so {@code java&#9;script:} counts; the check works backwards from the ':' over a bounded
 * number of characters.
 */
final class ScriptUrls {
    private static final String[] SCRIPT_SCHEMES = {"javascript", "vbscript", "livescript"};
    private static final String[] HTML_DATA_TYPES = {"text/html", "image/svg", "application/xhtml", "text/xml"};
    private static final int MAX_LOOKBACK = 24;
    private static final int MAX_IDENTIFIER = 64;

    private ScriptUrls() {}

    /** The scheme of an attribute value in [from, to) that is a script or HTML data URL, or null. */
    static String attributeScheme(CharSequence s, int from, int to) {
        int start = from;
        while (start < to && s.charAt(start) <= ' ') {
            start++;
        }
        int colon = start;
        int letters = 0;
        while (colon < to && letters <= 10 && s.charAt(colon) != ':') {
            letters += s.charAt(colon) > ' ' ? 1 : 0;
            colon++;
        }
        if (colon >= to) {
            return null;
        }
        String scheme = schemeEndingAt(s, colon);
        if (scheme == null || lettersEndingAt(s, colon, scheme) != start) {
            return null;
        }
        return !scheme.equals("data") || htmlDataType(s, colon + 1) ? scheme : null;
    }

    /**
     * The scheme of a script URL whose ':' is at {@code colon}, in free text: it must stand where a URL starts
     * (the value's start, after '=', a quote, '(' or '[') and be followed by code, so "JavaScript: The Good
     * Parts (2008)" stays a book title. Null when there is none.
     */
    static String inText(CharSequence s, int colon) {
        String scheme = schemeEndingAt(s, colon);
        if (scheme == null) {
            return null;
        }
        int before = lettersEndingAt(s, colon, scheme) - 1;
        while (before >= 0 && s.charAt(before) <= ' ') {
            before--;
        }
        if (before >= 0 && "=\"'`(>[".indexOf(s.charAt(before)) < 0) {
            return null;
        }
        boolean follows = scheme.equals("data") ? htmlDataType(s, colon + 1) : codeFollows(s, colon + 1);
        return follows ? scheme : null;
    }

    /** The scheme whose letters (control characters skipped) end just before the ':' at {@code colon}, or null. */
    private static String schemeEndingAt(CharSequence s, int colon) {
        for (String scheme : SCRIPT_SCHEMES) {
            if (lettersEndingAt(s, colon, scheme) >= 0) {
                return scheme;
            }
        }
        return lettersEndingAt(s, colon, "data") >= 0 ? "data" : null;
    }

    /** Where {@code word} starts if its letters, control characters skipped, end before {@code end}; else -1. */
    private static int lettersEndingAt(CharSequence s, int end, String word) {
        int k = end - 1;
        for (int w = word.length() - 1; w >= 0; w--) {
            while (k >= 0 && s.charAt(k) < ' ' && end - k <= MAX_LOOKBACK) {
                k--;
            }
            if (k < 0 || Ascii.lower(s.charAt(k)) != word.charAt(w)) {
                return -1;
            }
            k--;
        }
        return k + 1;
    }

    private static boolean htmlDataType(CharSequence s, int from) {
        int k = Ascii.skipSpace(s, from);
        for (String type : HTML_DATA_TYPES) {
            if (Ascii.startsWith(s, k, type)) {
                return true;
            }
        }
        return false;
    }

    /** Code after a scheme: punctuation that starts an expression, or a name that is called or assigned. */
    private static boolean codeFollows(CharSequence s, int from) {
        int k = Ascii.skipSpace(s, from);
        char c = Ascii.at(s, k);
        if (c != 0 && "/([{'\"`!-+~".indexOf(c) >= 0) {
            return true;
        }
        int end = k;
        while (end < s.length() && end - k < MAX_IDENTIFIER && Ascii.isIdentifierPart(s.charAt(end))) {
            end++;
        }
        char next = Ascii.at(s, Ascii.skipSpace(s, end));
        return end > k && next != 0 && "(`=[;".indexOf(next) >= 0;
    }
}
