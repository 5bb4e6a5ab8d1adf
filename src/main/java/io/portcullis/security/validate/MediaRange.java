package io.portcullis.security.validate;

/**
 * One allowlist entry: {@code type/subtype}, {@code type/*}, {@code type/*+suffix} or {@code *}{@code /*}.
 * Config entries may not carry parameters: they would be ignored, and silently ignoring config is worse than
 * refusing it.
 */
record MediaRange(String type, String subtype) {

    private static final String ANY = "*";

    /** Parses a config entry; the message names the entry. */
    static MediaRange parse(String entry) {
        if (entry.indexOf(';') >= 0) {
            throw new IllegalArgumentException("content type '" + entry
                    + "' must not have parameters (they are ignored when matching)");
        }
        MediaType parsed = MediaType.parse(entry);
        if (parsed == null) {
            throw new IllegalArgumentException("content type '" + entry + "' is not type/subtype");
        }
        String type = parsed.type();
        String subtype = parsed.subtype();
        if (type.equals(ANY) && !subtype.equals(ANY)) {
            throw new IllegalArgumentException("content type '" + entry
                    + "': a wildcard type needs a wildcard subtype");
        }
        boolean typeOk = type.equals(ANY) || !type.contains(ANY);
        boolean subtypeOk = subtype.equals(ANY) || !subtype.contains(ANY) || isSuffixRange(subtype);
        if (!typeOk || !subtypeOk) {
            throw new IllegalArgumentException("content type '" + entry
                    + "': '*' may only stand for a whole type, a whole subtype, or a subtype before '+suffix'");
        }
        return new MediaRange(type, subtype);
    }

    private static boolean isSuffixRange(String subtype) {
        return subtype.startsWith("*+") && subtype.length() > 2 && subtype.indexOf('*', 1) < 0;
    }

    boolean matches(MediaType media) {
        if (!type.equals(ANY) && !type.equals(media.type())) {
            return false;
        }
        if (subtype.equals(ANY)) {
            return true;
        }
        if (subtype.startsWith("*+")) {
            // "application/*+json" matches "application/problem+json", not "application/json".
            String suffix = subtype.substring(1);
            return media.subtype().endsWith(suffix) && media.subtype().length() > suffix.length();
        }
        return subtype.equals(media.subtype());
    }

    @Override
    public String toString() {
        return type + "/" + subtype;
    }
}
