package io.portcullis.security.validate;

import java.util.Locale;

/**
 * A {@code type/subtype} pair, lower-cased, with parameters dropped: the part of a Content-Type that an allowlist
 * compares. Parsing returns null instead of throwing because a bad header is an ordinary refusal, not an error.
 */
record MediaType(String type, String subtype) {

    /** Parses a header value or a config entry; null if it is not {@code token "/" token [";" …]}. */
    static MediaType parse(CharSequence value) {
        if (value == null) {
            return null;
        }
        String text = value.toString();
        int semicolon = text.indexOf(';');
        String essence = (semicolon < 0 ? text : text.substring(0, semicolon)).strip();
        int slash = essence.indexOf('/');
        if (slash <= 0 || slash == essence.length() - 1) {
            return null;
        }
        String type = essence.substring(0, slash);
        String subtype = essence.substring(slash + 1);
        if (!isToken(type) || !isToken(subtype)) {
            return null;
        }
        return new MediaType(type.toLowerCase(Locale.ROOT), subtype.toLowerCase(Locale.ROOT));
    }

    /** True for {@code application/json} and any {@code type/…+json} (RFC 6839 structured syntax suffix). */
    boolean isJson() {
        return (type.equals("application") && subtype.equals("json")) || subtype.endsWith("+json");
    }

    @Override
    public String toString() {
        return type + "/" + subtype;
    }

    /** RFC 9110 token: visible ASCII except delimiters. */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
