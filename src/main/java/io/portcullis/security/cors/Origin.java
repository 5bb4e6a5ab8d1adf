package io.portcullis.security.cors;

import java.util.Locale;

/**
 * A serialized tuple origin ({@code scheme://host[:port]}) as browsers send it in the {@code Origin} header, with the
 * scheme's default port filled in so that {@code https://a.example} and {@code https://a.example:443} compare equal.
 * Parsing returns null for anything else, including the opaque origin {@code null}: an Origin that is not a plain
 * tuple can only be matched by {@code *}.
 */
record Origin(String scheme, String host, int port) {

    private static final int MAX_LENGTH = 2048;

    static Origin parse(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH) {
            return null;
        }
        int sep = value.indexOf("://");
        if (sep <= 0) {
            return null;
        }
        String scheme = value.substring(0, sep).toLowerCase(Locale.ROOT);
        if (!isScheme(scheme)) {
            return null;
        }
        String authority = value.substring(sep + 3);
        String host;
        String portText;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                return null;
            }
            host = authority.substring(0, close + 1);
            String rest = authority.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                return null;
            }
            portText = rest.isEmpty() ? null : rest.substring(1);
            if (!isIpv6Literal(host)) {
                return null;
            }
        } else {
            int colon = authority.lastIndexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            portText = colon < 0 ? null : authority.substring(colon + 1);
            if (!isHostName(host)) {
                return null;
            }
        }
        int port = portText == null ? defaultPort(scheme) : parsePort(portText);
        if (port == -2) {
            return null;
        }
        return new Origin(scheme, host.toLowerCase(Locale.ROOT), port);
    }

    /** 80 or 443 for the web schemes, -1 (no port) otherwise. */
    static int defaultPort(String scheme) {
        return switch (scheme) {
            case "http", "ws" -> 80;
            case "https", "wss" -> 443;
            default -> -1;
        };
    }

    @Override
    public String toString() {
        return port == defaultPort(scheme) ? scheme + "://" + host : scheme + "://" + host + ":" + port;
    }

    /** -2 when not 1 to 5 digits within 0–65535. */
    private static int parsePort(String text) {
        if (text.isEmpty() || text.length() > 5) {
            return -2;
        }
        int port = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -2;
            }
            port = port * 10 + (c - '0');
        }
        return port <= 65535 ? port : -2;
    }

    private static boolean isScheme(String s) {
        if (s.isEmpty() || s.charAt(0) < 'a' || s.charAt(0) > 'z') {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    /** Letters, digits, '-', '_' and '.', in non-empty labels: what a browser serializes after IDNA. */
    static boolean isHostName(String s) {
        if (s.isEmpty() || s.startsWith(".") || s.endsWith(".") || s.contains("..")) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIpv6Literal(String s) {
        if (s.length() < 4) {
            return false;
        }
        for (int i = 1; i < s.length() - 1; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':'
                    || c == '.')) {
                return false;
            }
        }
        return true;
    }
}
