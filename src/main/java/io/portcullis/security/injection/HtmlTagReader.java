package io.portcullis.security.injection;

/**
 * Reads one HTML tag for {@link XssDetector}: its name, then its attributes the way a browser's tokenizer splits
 * them (quoted, unquoted, separated by spaces or '/'), and reports the first that can run script or load content:
 * <ul>
 *   <li>{@code <script>}, opening or closing;</li>
 *   <li>an {@code on*} event handler, {@code srcdoc}, a CSS {@code expression()} or binding in {@code style}, a
 *       script or HTML data URL in any attribute, an SVG animation that sets a handler or a link, a front-end
 *       framework attribute ({@code ng-click}, {@code v-on}, {@code @click}) that calls a sink;</li>
 *   <li>a tag that loads something through the attribute that makes it load ({@code <iframe src>},
 *       {@code <object data>}, {@code <base href>}, {@code <form action>}, {@code <meta http-equiv>},
 *       {@code <link rel=stylesheet href>}): the bare name, as in "embed an &lt;iframe&gt;", is how people talk
 *       about HTML.</li>
 * </ul>
 * The tag ends at '>' or at the next '<', even inside a quoted value, so that a tag hidden in another tag's
 * attribute is read on its own and the whole value is read once.
 */
final class HtmlTagReader {
    private static final String[] LOADING_TAGS = {"script", "iframe", "frame", "embed", "object", "applet",
            "portal", "base", "form", "meta", "link"};
    private static final String[][] LOADING_ATTRIBUTES = {{}, {"src"}, {"src"}, {"src", "code"},
            {"data", "codebase", "classid"}, {"code", "codebase", "archive"}, {"src"}, {"href"}, {"action"},
            {"http-equiv", "charset"}, {}};
    private static final int SCRIPT = 0;
    private static final int META = 9;
    private static final int LINK = 10;
    /** How far into a value a scheme can end, control characters included. */
    private static final int MAX_SCHEME = 48;

    private final CharSequence s;
    private final int n;
    private int pos;
    /** The value of the attribute being checked. */
    private int valueStart;
    private int valueEnd;

    HtmlTagReader(CharSequence s) {
        this.s = s;
        this.n = s.length();
    }

    /** Reads the tag whose '<' is at {@code lt}; the rule it breaks, or null. {@link #end()} tells where it stopped. */
    String read(int lt) {
        int j = lt + 1;
        boolean closing = Ascii.at(s, j) == '/';
        if (closing) {
            j++;
        }
        if (!Ascii.isLetter(Ascii.at(s, j))) {
            pos = lt + 1; // "a < b", "<3": not a tag
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
        int tag = Ascii.indexOf(s, local, j, LOADING_TAGS);
        pos = j;
        if (tag == SCRIPT) {
            return "xss.tag/script";
        }
        return closing ? null : attributes(tag);
    }

    /** Where the last {@link #read} stopped: after the tag, or at the '<' that cut it short. */
    int end() {
        return pos;
    }

    private String attributes(int tag) {
        boolean linkHref = false;
        boolean linkLoads = false;
        while (pos < n && s.charAt(pos) != '>' && s.charAt(pos) != '<') {
            char c = s.charAt(pos);
            if (c <= ' ' || c == '/') {
                pos++;
                continue;
            }
            int nameStart = pos;
            while (pos < n && !endsName(s.charAt(pos)) && (s.charAt(pos) != '=' || pos == nameStart)) {
                pos++;
            }
            int nameEnd = pos;
            int k = Ascii.skipSpace(s, pos);
            if (Ascii.at(s, k) != '=') {
                pos = k;
                continue;
            }
            String rule = value(tag, nameStart, nameEnd, Ascii.skipSpace(s, k + 1));
            if (rule != null) {
                return rule;
            }
            if (tag == LINK) {
                linkHref |= Ascii.equals(s, nameStart, nameEnd, "href");
                linkLoads |= Ascii.equals(s, nameStart, nameEnd, "rel") && (Ascii.indexOf(s, valueStart,
                        valueEnd, "import") >= 0 || Ascii.indexOf(s, valueStart, valueEnd, "stylesheet") >= 0);
            }
        }
        return linkHref && linkLoads ? "xss.tag/link" : null;
    }

    /** Reads the value starting at {@code k} (moving pos past it) and checks the attribute. */
    private String value(int tag, int nameStart, int nameEnd, int k) {
        char quote = Ascii.at(s, k);
        boolean quoted = quote == '"' || quote == '\'' || quote == '`';
        valueStart = quoted ? k + 1 : k;
        valueEnd = valueStart;
        while (valueEnd < n && s.charAt(valueEnd) != '<' && (quoted ? s.charAt(valueEnd) != quote
                : s.charAt(valueEnd) > ' ' && s.charAt(valueEnd) != '>')) {
            valueEnd++;
        }
        pos = quoted && valueEnd < n && s.charAt(valueEnd) == quote ? valueEnd + 1 : valueEnd;
        if (!quoted) {
            // &Tab; or &NewLine; inside an unquoted URL were decoded before this scan; the browser decodes them
            // after it, so they do not end the value there
            int urlEnd = valueEnd;
            while (urlEnd < n && urlEnd - valueStart < MAX_SCHEME && s.charAt(urlEnd) != ' '
                    && s.charAt(urlEnd) != '>' && s.charAt(urlEnd) != '<') {
                urlEnd++;
            }
            String scheme = ScriptUrls.attributeScheme(s, valueStart, urlEnd);
            if (scheme != null) {
                return "xss.url/" + scheme;
            }
            if (handlerAfterSlash()) {
                return "xss.event-handler";
            }
        }
        String rule = attribute(nameStart, nameEnd);
        if (rule == null && tag >= 0 && loads(tag, nameStart, nameEnd)) {
            rule = "xss.tag/" + LOADING_TAGS[tag];
        }
        return rule;
    }

    private String attribute(int nameStart, int nameEnd) {
        if (isHandlerName(nameStart, nameEnd) && valueEnd > valueStart) {
            return "xss.event-handler";
        }
        if (Ascii.equals(s, nameStart, nameEnd, "srcdoc")) {
            return "xss.srcdoc";
        }
        if (isFrameworkHandler(nameStart, nameEnd) && ScriptSinks.called(s, valueStart, valueEnd)) {
            return "xss.template"; // ng-click=$event.view.alert(1)
        }
        if (Ascii.equals(s, nameStart, nameEnd, "attributename")
                && (isHandlerName(valueStart, valueEnd) || Ascii.indexOf(s, valueStart, valueEnd, "href") >= 0)) {
            return "xss.svg-animation"; // <set attributeName=onmouseover to=alert(1)>
        }
        if (Ascii.equals(s, nameStart, nameEnd, "style") && (contains("expression") || contains("javascript:")
                || contains("-moz-binding") || contains("behavior:"))) {
            return "xss.css";
        }
        String scheme = ScriptUrls.attributeScheme(s, valueStart, valueEnd);
        return scheme == null ? null : "xss.url/" + scheme;
    }

    /**
     * An unquoted value that goes on as {@code /onerror=alert(1)}. An HTML5 browser keeps the '/' and all after it
     * in the value, so {@code <img/src=x/onerror=alert(1)>} has no handler there; a lenient parser that splits
     * attributes at every '/' (as browsers do only after a tag name, an attribute name or a quoted value) would see
     * one, and no real value holds a handler that calls a sink, so it is flagged anyway. Only the first candidate
     * is checked, so the work stays linear.
     */
    private boolean handlerAfterSlash() {
        for (int k = valueStart; k < valueEnd; k++) {
            if (s.charAt(k) == '/' && Ascii.startsWith(s, k + 1, "on")) {
                int end = k + 1;
                while (end < valueEnd && Ascii.isLetter(s.charAt(end))) {
                    end++;
                }
                if (end < valueEnd && s.charAt(end) == '=' && isHandlerName(k + 1, end)) {
                    return ScriptSinks.called(s, end + 1, valueEnd);
                }
            }
        }
        return false;
    }

    private boolean loads(int tag, int nameStart, int nameEnd) {
        if (tag == META && Ascii.equals(s, nameStart, nameEnd, "content")) {
            return contains("url"); // <meta http-equiv=refresh content="0;url=...">, in either order
        }
        for (String attribute : LOADING_ATTRIBUTES[tag]) {
            if (Ascii.equals(s, nameStart, nameEnd, attribute)) {
                return true;
            }
        }
        return false;
    }

    private boolean contains(String lower) {
        return Ascii.indexOf(s, valueStart, valueEnd, lower) >= 0;
    }

    /** {@code on} and at least three more letters: onload, onerror, onpointerenter. */
    private boolean isHandlerName(int from, int to) {
        if (to - from < 5 || !Ascii.startsWith(s, from, "on")) {
            return false;
        }
        for (int k = from + 2; k < to; k++) {
            if (!Ascii.isLetter(s.charAt(k))) {
                return false;
            }
        }
        return true;
    }

    /** Attributes a front-end framework evaluates as code: ng-*, v-on:*, x-on:*, @event. */
    private boolean isFrameworkHandler(int from, int to) {
        return Ascii.startsWith(s, from, "ng-") || Ascii.startsWith(s, from, "v-on") || Ascii.startsWith(s, from, "x-on")
                || to > from && s.charAt(from) == '@';
    }

    private static boolean endsName(char c) {
        return c <= ' ' || c == '/' || c == '>' || c == '<';
    }
}
