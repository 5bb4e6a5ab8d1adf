package io.portcullis.security.injection;

/**
 * Finds cross-site scripting in one normalised value by reading it the way a browser would if it landed in a
 * page: as text that may open tags ({@link HtmlTagReader}), as an attribute value that may close its quote, as a
 * URL, or inside a script. Outside tags it reports
 * <ul>
 *   <li>an event handler after a broken-out quote, or after a space when it calls a sink
 *       ({@code " onmouseover="alert(1)}, {@code x onerror=alert(1)});</li>
 *   <li>a script URL where a URL starts, followed by code ({@link ScriptUrls});</li>
 *   <li>CSS {@code expression(} after a property's ':' (old Internet Explorer ran it);</li>
 *   <li>a JavaScript string broken out of to call a sink ({@code ';alert(1)//}, {@code '-alert(1)-'});</li>
 *   <li>a client-side template expression that reaches for code ({@code {{constructor.constructor('alert(1)')()}}}).</li>
 * </ul>
 * HTML comments and CDATA are not skipped: every '<' is read as a possible tag, so one hidden behind {@code <!--}
 * or inside an attribute value is still seen. Each rule looks a bounded distance around its trigger character, so
 * the pass is linear in the value.
 */
final class XssDetector {
    private static final int MAX_HANDLER_NAME = 32;
    private static final int MAX_HANDLER_VALUE = 128;
    private static final int MAX_BREAKOUT_PREFIX = 8;
    private static final int MAX_IDENTIFIER = 32;

    private final CharSequence s;
    private final int n;
    private HtmlTagReader tags;
    private int templateEnd;

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
        int pos = 0;
        while (pos < n) {
            char c = s.charAt(pos);
            String rule = null;
            if (c == '<') {
                if (tags == null) {
                    tags = new HtmlTagReader(s);
                }
                rule = tags.read(pos);
                if (rule != null) {
                    return rule;
                }
                pos = tags.end();
                continue;
            }
            if ((c | 0x20) == 'o' && (Ascii.at(s, pos + 1) | 0x20) == 'n' && handlerBoundary(pos - 1)) {
                rule = looseHandler(pos);
            } else if (c == ':') {
                String scheme = ScriptUrls.inText(s, pos);
                rule = scheme == null ? null : "xss.url/" + scheme;
            } else if (c == '(') {
                rule = cssExpressionBefore(pos);
            } else if (c == '\'' || c == '"' || c == '`') {
                rule = scriptBreakout(pos);
            } else if (c == '{' && Ascii.at(s, pos + 1) == '{' && pos >= templateEnd) {
                rule = templateExpression(pos + 2);
            }
            if (rule != null) {
                return rule;
            }
            pos++;
        }
        return null;
    }

    /** {@code on...=} outside a tag: an attribute that a broken-out quote or an unquoted value adds. */
    private String looseHandler(int start) {
        int k = start;
        while (k < n && k - start <= MAX_HANDLER_NAME && Ascii.isLetter(s.charAt(k))) {
            k++;
        }
        if (k - start < 5) {
            return null;
        }
        k = Ascii.skipSpace(s, k);
        if (Ascii.at(s, k) != '=') {
            return null;
        }
        k = Ascii.skipSpace(s, k + 1);
        char quote = Ascii.at(s, k);
        boolean quoted = quote == '"' || quote == '\'' || quote == '`';
        int valueStart = quoted ? k + 1 : k;
        int valueEnd = valueStart;
        while (valueEnd < n && valueEnd - valueStart < MAX_HANDLER_VALUE && (quoted ? s.charAt(valueEnd) != quote
                : s.charAt(valueEnd) > ' ' && s.charAt(valueEnd) != '>')) {
            valueEnd++;
        }
        if (Ascii.indexOf(s, valueStart, valueEnd, "(") < 0 && Ascii.indexOf(s, valueStart, valueEnd, "`") < 0) {
            return null;
        }
        char before = start > 0 ? s.charAt(start - 1) : ' ';
        boolean brokeOut = before == '"' || before == '\'' || before == '`' || before == '/';
        return brokeOut || ScriptSinks.mentioned(s, valueStart, valueEnd) ? "xss.event-handler" : null;
    }

    private boolean handlerBoundary(int before) {
        if (before < 0) {
            return true;
        }
        char c = s.charAt(before);
        return c <= ' ' || c == '"' || c == '\'' || c == '`' || c == '/' || c == ';';
    }

    /** {@code expression(} after a CSS property's ':'. */
    private String cssExpressionBefore(int paren) {
        int end = paren;
        while (end > 0 && s.charAt(end - 1) <= ' ') {
            end--;
        }
        int start = end - "expression".length();
        if (!Ascii.startsWith(s, start, "expression")) {
            return null;
        }
        int before = start - 1;
        while (before >= 0 && s.charAt(before) <= ' ') {
            before--;
        }
        return before >= 0 && s.charAt(before) == ':' ? "xss.css" : null;
    }

    /** A quote closing a JavaScript string, operators, then a sink called or location assigned. */
    private String scriptBreakout(int quote) {
        int k = quote + 1;
        int operators = 0;
        while (k < n && k - quote <= MAX_BREAKOUT_PREFIX) {
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
        while (end < n && end - k < MAX_IDENTIFIER && (Ascii.isIdentifierPart(s.charAt(end)) || s.charAt(end) == '[')) {
            end++;
        }
        char call = Ascii.at(s, Ascii.skipSpace(s, end));
        boolean calls = (call == '(' || call == '`') && ScriptSinks.mentioned(s, k, end);
        boolean navigates = call == '=' && Ascii.indexOf(s, k, end, "location") >= 0;
        return calls || navigates ? "xss.script-breakout" : null;
    }

    /**
     * A client-side template expression ({@code {{...}}}, as AngularJS evaluates in the page) that reaches the
     * Function constructor or calls a sink: template injection runs script without any tag.
     */
    private String templateExpression(int from) {
        int end = from;
        while (end + 1 < n && !(s.charAt(end) == '}' && s.charAt(end + 1) == '}')) {
            end++;
        }
        templateEnd = end; // a '{{' before here lies inside this expression, which is checked whole
        return Ascii.indexOf(s, from, end, "constructor") >= 0 || Ascii.indexOf(s, from, end, "$eval") >= 0
                || ScriptSinks.called(s, from, end) ? "xss.template" : null;
    }
}
