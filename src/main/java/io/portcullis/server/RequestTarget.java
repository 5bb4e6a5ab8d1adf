package io.portcullis.server;

/**
 * A parsed request target (RFC 9112 §3.2): origin-form {@code /p?q}, absolute-form {@code http://h/p?q} (whose
 * authority replaces Host), or asterisk-form {@code *} for OPTIONS. Null from {@link #parse} means invalid.
 *
 * @param authority the authority of an absolute-form target, else null
 * @param pathAndQuery what is sent upstream as the target
 * @param path the path alone, for routing
 */
record RequestTarget(String authority, String pathAndQuery, String path) {

    static RequestTarget parse(String uri) {
        int n = uri.length();
        if (n == 0) {
            return null;
        }
        for (int i = 0; i < n; i++) {
            char c = uri.charAt(i);
            // Visible ASCII only; a fragment never belongs in a request target.
            if (c <= 0x20 || c >= 0x7f || c == '#') {
                return null;
            }
        }
        char first = uri.charAt(0);
        if (first == '/') {
            return new RequestTarget(null, uri, pathOf(uri, 0));
        }
        if (n == 1 && first == '*') {
            return new RequestTarget(null, uri, "*");
        }
        int schemeEnd = uri.indexOf("://");
        if (schemeEnd <= 0) {
            return null;
        }
        String scheme = uri.substring(0, schemeEnd);
        if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
            return null;
        }
        int authStart = schemeEnd + 3;
        int authEnd = authStart;
        while (authEnd < n && uri.charAt(authEnd) != '/' && uri.charAt(authEnd) != '?') {
            authEnd++;
        }
        if (authEnd == authStart) {
            return null;
        }
        String authority = uri.substring(authStart, authEnd);
        if (authority.indexOf('@') >= 0) {
            return null; // userinfo is deprecated in http URIs (RFC 9110 §4.2.4) and a phishing vector
        }
        String rest = authEnd == n ? "/" : uri.charAt(authEnd) == '?' ? "/" + uri.substring(authEnd)
                : uri.substring(authEnd);
        return new RequestTarget(authority, rest, pathOf(rest, 0));
    }

    private static String pathOf(String s, int from) {
        int q = s.indexOf('?', from);
        return q < 0 ? s : s.substring(from, q);
    }

    /** Host for routing: lower-case, without port; IPv6 literals keep their brackets. */
    static String routingHost(String hostHeader) {
        if (hostHeader == null) {
            return "";
        }
        String h = hostHeader;
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            h = close < 0 ? h : h.substring(0, close + 1);
        } else {
            int colon = h.lastIndexOf(':');
            if (colon >= 0) {
                h = h.substring(0, colon);
            }
        }
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                return h.toLowerCase(java.util.Locale.ROOT);
            }
        }
        return h;
    }
}
