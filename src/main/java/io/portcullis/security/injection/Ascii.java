package io.portcullis.security.injection;

/**
 * ASCII-case-insensitive matching over a {@link CharSequence}, for the HTML and URL checks: markup keywords are
 * ASCII, and matching them in place lets a value that needed no decoding be scanned without a lower-case copy.
 * Every method is bounded by the range it is given.
 */
final class Ascii {
    private Ascii() {}

    /** Whether the chars from {@code from} spell {@code lower} (a lower-case word). */
    static boolean startsWith(CharSequence s, int from, String lower) {
        if (from < 0 || from + lower.length() > s.length()) {
            return false;
        }
        for (int k = 0; k < lower.length(); k++) {
            if (lower(s.charAt(from + k)) != lower.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    static boolean equals(CharSequence s, int from, int to, String lower) {
        return to - from == lower.length() && startsWith(s, from, lower);
    }

    /** The index of {@code lower} within [from, to), or -1. */
    static int indexOf(CharSequence s, int from, int to, String lower) {
        for (int k = from; k + lower.length() <= to; k++) {
            if (startsWith(s, k, lower)) {
                return k;
            }
        }
        return -1;
    }

    /** The index in {@code names} of the name equal to chars [from, to), or -1. */
    static int indexOf(CharSequence s, int from, int to, String[] names) {
        for (int k = 0; k < names.length; k++) {
            if (equals(s, from, to, names[k])) {
                return k;
            }
        }
        return -1;
    }

    /** The first index from {@code from} that holds neither a space nor a control character. */
    static int skipSpace(CharSequence s, int from) {
        int k = from;
        while (k < s.length() && s.charAt(k) <= ' ') {
            k++;
        }
        return k;
    }

    /** The char at {@code i}, or 0 outside the sequence. */
    static char at(CharSequence s, int i) {
        return i >= 0 && i < s.length() ? s.charAt(i) : 0;
    }

    static boolean isLetter(char c) {
        return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
    }

    static boolean isIdentifierPart(char c) {
        return isLetter(c) || c >= '0' && c <= '9' || c == '_' || c == '$' || c == '.';
    }

    static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c | 0x20) : c;
    }
}
