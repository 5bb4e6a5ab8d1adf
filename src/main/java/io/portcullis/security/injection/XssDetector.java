package io.portcullis.security.injection;

/**
 * Finds cross-site scripting in one normalised value with a small HTML tokenizer that reads the value the way a
 * browser would if it landed in a page: as text that may open tags, as an attribute value that may close its quote,
 * or as a URL. It reports
 * <ul>
 *   <li>tags that run or load code whatever their attributes (script, iframe, svg, ...), opening or closing, so
 *       {@code </script><script>} is caught too;</li>
 *   <li>any tag with an {@code on*} event handler, a {@code srcdoc}, a CSS {@code expression()} in its style, or an
 *       attribute value that is a {@code javascript:}, {@code vbscript:} or {@code data:text/html} URL;</li>
 *   <li>outside tags: an event handler after a broken-out quote ({@code " onmouseover="alert(1)}), a script URL
 *       followed by code, CSS {@code expression(}, and a JavaScript string broken out of to call a sink
 *       ({@code ';alert(1)//}).</li>
 * </ul>
 * HTML comments and CDATA are not skipped: each '<' is examined, so a tag hidden behind {@code <!--} or inside an
 * attribute value is still seen. A tag's scan stops at the next '<', which keeps the whole pass linear.
 */
final class XssDetector {
    private static final String[] DANGEROUS_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed",
            "applet", "svg", "math", "base", "form", "meta", "link", "style", "xml", "import", "isindex", "portal"};
    private static final String[] SCRIPT_SCHEMES = {"javascript", "vbscript", "livescript"};
    private static final String[] HTML_DATA_TYPES = {"text/html", "image/svg", "application/xhtml", "text/xml"};
    /** Functions and objects a payload calls or reaches for; JavaScript in ordinary text rarely needs them. */
    private static final String[] SINKS = {"alert", "prompt", "confirm", "eval", "fetch", "import", "settimeout",
            "setinterval", "function", "document", "window", "location", "top[", "self[", "parent", "frames",
            "globalthis", "atob", "fromcharcode", "constructor", "javascript"};
    private static final int MAX_TAG_NAME = 16;
    private static final int MAX_VALUE = 256;
    private static final int MAX_LOOKBACK = 24;

    private final CharSequence s;
    private final int n;
    private int pos;

    private XssDetector(CharSequence s) {
        this.s = s;
        this.n = s.length();
    }

    /** The rule that matched, or null. */
    static String detect(CharSequence value) {
        return mayHoldScript(value) ? new XssDetector(value).scan() : null;
    }

    /** Every rule needs one of these characters; most query values have none. */
    private static boolean mayHoldScript(CharSequence value) {
        for (int i = 0, n = value.length(); i < n; i++) {
            char c = value.charAt(i);
            if (c == '<' || c == '=' || c == ':' || c == '(' || c == '`') {
                return true;
            }
        }
        return false;
    }

    private String scan() {
        while (pos < n) {
            char c = s.charAt(pos);
            String rule = null;
            if (c == '<') {
                rule = tag(); // moves pos past what it read
                if (rule != null) {
                    return rule;
                }
                continue;
            }
            if ((c | 0x20) == 'o' && (at(pos + 1) | 0x20) == 'n' && handlerBoundary(pos - 1)) {
                rule = looseHandler(pos);
            } else if (c == ':') {
                rule = scriptUrlBefore(pos);
            } else if (c == '(') {
                rule = cssExpressionBefore(pos);
            } else if (c == '\'' || c == '"' || c == '`') {
                rule = scriptBreakout(pos);
            }
            if (rule != null) {
                return rule;
            }
            pos++;
        }
        return null;
    }

    /** A tag at pos (a '<'): its name, then its attributes up to '>' or the next '<'. */
    private String tag() {
        int j = pos + 1;
        boolean closing = at(j) == '/';
        if (closing) {
            j++;
        }
        if (!isAsciiLetter(at(j))) {
            pos++;
            return null;
        }
        int nameStart = j;
        while (j < n && !endsName(s.charAt(j))) {
            j++;
        }
        int local = nameStart;
        for (int k = nameStart; k < j; k++) {
            if (s.charAt(k) == ':') {
                local = k + 1; // <x:script> in XML-ish documents
            }
        }
        String dangerous = oneOf(local, j, DANGEROUS_TAGS);
        if (dangerous != null) {
            return "xss.tag/" + dangerous;
        }
        pos = j;
        return closing ? null : attributes();
    }

    private String attributes() {
        while (pos < n) {
            char c = s.charAt(pos);
            if (c == '>' || c == '<') {
                return null;
            }
            if (c <= ' ' || c == '/') {
                pos++;
                continue;
            }
            int nameStart = pos;
            while (pos < n && !endsName(s.charAt(pos)) && (s.charAt(pos) != '=' || pos == nameStart)) {
                pos++;
            }
            int nameEnd = pos;
            int k = skipSpace(pos);
            if (at(k) != '=') {
                pos = k;
                continue;
            }
            k = skipSpace(k + 1);
            char quote = at(k);
            int valueStart;
            int valueEnd;
            if (quote == '"' || quote == '\'' || quote == '`') {
                valueStart = k + 1;
                valueEnd = valueStart;
                while (valueEnd < n && s.charAt(valueEnd) != quote && s.charAt(valueEnd) != '<') {
                    valueEnd++;
                }
                pos = valueEnd < n && s.charAt(valueEnd) == quote ? valueEnd + 1 : valueEnd;
            } else {
                valueStart = k;
                valueEnd = k;
                while (valueEnd < n && s.charAt(valueEnd) > ' ' && s.charAt(valueEnd) != '>'
                        && s.charAt(valueEnd) != '<') {
                    valueEnd++;
                }
                pos = valueEnd;
            }
            String rule = attribute(nameStart, nameEnd, valueStart, valueEnd);
            if (rule != null) {
                return rule;
            }
        }
        return null;
    }

    private String attribute(int nameStart, int nameEnd, int valueStart, int valueEnd) {
        if (isHandlerName(nameStart, nameEnd) && valueEnd > valueStart) {
            return "xss.event-handler";
        }
        if (equalsIgnoreCase(nameStart, nameEnd, "srcdoc")) {
            return "xss.srcdoc";
        }
        if (equalsIgnoreCase(nameStart, nameEnd, "style") && (indexOf(valueStart, valueEnd, "expression") >= 0
                || indexOf(valueStart, valueEnd, "javascript:") >= 0 || indexOf(valueStart, valueEnd, "-moz-binding") >= 0
                || indexOf(valueStart, valueEnd, "behavior:") >= 0)) {
            return "xss.css";
        }
        int v = valueStart;
        while (v < valueEnd && s.charAt(v) <= ' ') {
            v++;
        }
        String scheme = schemeAt(v, valueEnd);
        return scheme == null ? null : "xss.url/" + scheme;
    }

    /** A script scheme or HTML data URL starting at {@code from}, ignoring the control characters browsers skip. */
    private String schemeAt(int from, int to) {
        int colon = from;
        int letters = 0;
        while (colon < to && letters <= 10 && s.charAt(colon) != ':') {
            letters += s.charAt(colon) > ' ' ? 1 : 0;
            colon++;
        }
        if (colon >= to || s.charAt(colon) != ':') {
            return null;
        }
        String scheme = schemeEndingAt(colon);
        int start = from;
        while (start < colon && s.charAt(start) < ' ') {
            start++;
        }
        if (scheme == null || lettersEndingAt(colon, scheme) != start) {
            return null;
        }
        return !scheme.equals("data") || htmlDataType(colon + 1) ? scheme : null;
    }

    /** The scheme whose letters (control characters skipped) end just before the ':' at {@code colon}, or null. */
    private String schemeEndingAt(int colon) {
        for (String scheme : SCRIPT_SCHEMES) {
            if (lettersEndingAt(colon, scheme) >= 0) {
                return scheme;
            }
        }
        return lettersEndingAt(colon, "data") >= 0 ? "data" : null;
    }

    /** Where {@code word} starts if its letters, control characters skipped, end before {@code end}; else -1. */
    private int lettersEndingAt(int end, String word) {
        int k = end - 1;
        for (int w = word.length() - 1; w >= 0; w--) {
            while (k >= 0 && s.charAt(k) < ' ' && end - k <= MAX_LOOKBACK) {
                k--;
            }
            if (k < 0 || (s.charAt(k) | 0x20) != word.charAt(w)) {
                return -1;
            }
            k--;
        }
        return k + 1;
    }

    private boolean htmlDataType(int from) {
        int k = skipSpace(from);
        for (String type : HTML_DATA_TYPES) {
            if (regionMatches(k, type)) {
                return true;
            }
        }
        return false;
    }

    /** A ':' outside a tag: a script URL where a URL would start (value start, after '=', a quote or '('). */
    private String scriptUrlBefore(int colon) {
        String scheme = schemeEndingAt(colon);
        if (scheme == null) {
            return null;
        }
        int start = lettersEndingAt(colon, scheme);
        int before = start - 1;
        while (before >= 0 && s.charAt(before) <= ' ') {
            before--;
        }
        if (before >= 0 && "=\"'`(>[".indexOf(s.charAt(before)) < 0) {
            return null;
        }
        boolean follows = scheme.equals("data") ? htmlDataType(colon + 1) : codeFollows(colon + 1);
        return follows ? "xss.url/" + scheme : null;
    }

    /** Code after a script scheme: punctuation that starts an expression, or a name that is called or assigned. */
    private boolean codeFollows(int from) {
        int k = skipSpace(from);
        char c = at(k);
        if ("/([{'\"`!-+~".indexOf(c) >= 0 && c != 0) {
            return true;
        }
        int end = k;
        while (end < n && end - k < MAX_VALUE && isIdentifierPart(s.charAt(end))) {
            end++;
        }
        return end > k && "(`=[;".indexOf(at(skipSpace(end))) >= 0 && at(skipSpace(end)) != 0;
    }

    /** {@code on...=} outside a tag, as an attribute a broken-out or unquoted value adds. */
    private String looseHandler(int start) {
        int k = start;
        while (k < n && k - start <= 32 && isAsciiLetter(s.charAt(k))) {
            k++;
        }
        if (k - start < 5) {
            return null;
        }
        k = skipSpace(k);
        if (at(k) != '=') {
            return null;
        }
        k = skipSpace(k + 1);
        char quote = at(k);
        boolean quoted = quote == '"' || quote == '\'' || quote == '`';
        int valueStart = quoted ? k + 1 : k;
        int valueEnd = valueStart;
        while (valueEnd < n && valueEnd - valueStart < MAX_VALUE && (quoted ? s.charAt(valueEnd) != quote
                : s.charAt(valueEnd) > ' ' && s.charAt(valueEnd) != '>')) {
            valueEnd++;
        }
        if (indexOf(valueStart, valueEnd, "(") < 0 && indexOf(valueStart, valueEnd, "`") < 0) {
            return null;
        }
        char before = start > 0 ? s.charAt(start - 1) : ' ';
        boolean brokeOut = before == '"' || before == '\'' || before == '`' || before == '/';
        return brokeOut || containsSink(valueStart, valueEnd) ? "xss.event-handler" : null;
    }

    private boolean handlerBoundary(int before) {
        if (before < 0) {
            return true;
        }
        char c = s.charAt(before);
        return c <= ' ' || c == '"' || c == '\'' || c == '`' || c == '/' || c == ';';
    }

    /** {@code expression(} after a CSS property's ':' (old IE ran it as script). */
    private String cssExpressionBefore(int paren) {
        int end = paren;
        while (end > 0 && s.charAt(end - 1) <= ' ') {
            end--;
        }
        int start = lettersEndingAt(end, "expression");
        if (start < 0) {
            return null;
        }
        int before = start - 1;
        while (before >= 0 && s.charAt(before) <= ' ') {
            before--;
        }
        return before >= 0 && s.charAt(before) == ':' ? "xss.css" : null;
    }

    /** A quote closing a JavaScript string, operators, then a call of a sink: {@code '-alert(1)-'}. */
    private String scriptBreakout(int quote) {
        int k = quote + 1;
        int operators = 0;
        while (k < n && k - quote <= 8) {
            char c = s.charAt(k);
            if (";)+-*,|&}]".indexOf(c) >= 0) {
                operators++;
            } else if (c > ' ' && c != '\\') {
                break;
            }
            k++;
        }
        if (operators == 0) {
            return null;
        }
        int end = k;
        while (end < n && end - k < 32 && (isIdentifierPart(s.charAt(end)) || s.charAt(end) == '[')) {
            end++;
        }
        char call = at(skipSpace(end));
        boolean calls = (call == '(' || call == '`') && containsSink(k, end);
        boolean navigates = call == '=' && indexOf(k, end, "location") >= 0;
        return calls || navigates ? "xss.script-breakout" : null;
    }

    private boolean containsSink(int from, int to) {
        for (String sink : SINKS) {
            if (indexOf(from, to, sink) >= 0) {
                return true;
            }
        }
        return false;
    }

    private boolean isHandlerName(int from, int to) {
        if (to - from < 5 || (s.charAt(from) | 0x20) != 'o' || (s.charAt(from + 1) | 0x20) != 'n') {
            return false;
        }
        for (int k = from + 2; k < to; k++) {
            if (!isAsciiLetter(s.charAt(k))) {
                return false;
            }
        }
        return true;
    }

    /** The entry of {@code names} equal to chars [from, to) ignoring ASCII case, or null. */
    private String oneOf(int from, int to, String[] names) {
        if (to - from > MAX_TAG_NAME) {
            return null;
        }
        for (String name : names) {
            if (equalsIgnoreCase(from, to, name)) {
                return name;
            }
        }
        return null;
    }

    private boolean equalsIgnoreCase(int from, int to, String lower) {
        return to - from == lower.length() && regionMatches(from, lower);
    }

    /** Whether chars from {@code from} spell {@code lower}, ignoring ASCII case. */
    private boolean regionMatches(int from, String lower) {
        if (from + lower.length() > n) {
            return false;
        }
        for (int k = 0; k < lower.length(); k++) {
            char c = s.charAt(from + k);
            if ((c >= 'A' && c <= 'Z' ? (char) (c | 0x20) : c) != lower.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private int indexOf(int from, int to, String lower) {
        for (int k = from; k + lower.length() <= to; k++) {
            if (regionMatches(k, lower)) {
                return k;
            }
        }
        return -1;
    }

    private int skipSpace(int from) {
        int k = from;
        while (k < n && s.charAt(k) <= ' ') {
            k++;
        }
        return k;
    }

    private char at(int i) {
        return i >= 0 && i < n ? s.charAt(i) : 0;
    }

    private static boolean endsName(char c) {
        return c <= ' ' || c == '/' || c == '>' || c == '<';
    }

    private static boolean isAsciiLetter(char c) {
        return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
    }

    private static boolean isIdentifierPart(char c) {
        return isAsciiLetter(c) || c >= '0' && c <= '9' || c == '_' || c == '$' || c == '.';
    }
}
