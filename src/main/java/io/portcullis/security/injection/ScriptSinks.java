package io.portcullis.security.injection;

/**
 * The functions and objects a script payload calls or reaches for. Code in ordinary text (a React {@code onClick},
 * a jQuery snippet) rarely needs them, so the XSS checks that look at code outside a tag ask for one before they
 * report: {@code x onerror=alert(1)} is an attack, {@code onClick={() => setCount(1)}} is a question about React.
 */
final class ScriptSinks {
    private static final String[] SINKS = {"alert", "prompt", "confirm", "eval", "fetch", "import", "settimeout",
            "setinterval", "function", "document", "window", "location", "top[", "self[", "parent", "frames",
            "globalthis", "atob", "fromcharcode", "constructor", "javascript"};

    private ScriptSinks() {}

    /** The sinks by their first letter, so that one pass over a value checks them all. */
    private static final String[][] BY_FIRST_LETTER = new String[26][];

    static {
        for (String sink : SINKS) {
            int letter = sink.charAt(0) - 'a';
            String[] known = BY_FIRST_LETTER[letter];
            String[] more = known == null ? new String[1] : java.util.Arrays.copyOf(known, known.length + 1);
            more[more.length - 1] = sink;
            BY_FIRST_LETTER[letter] = more;
        }
    }

    /** Whether chars [from, to) name a sink. */
    static boolean mentioned(CharSequence s, int from, int to) {
        for (int k = from; k < to; k++) {
            int letter = Ascii.lower(s.charAt(k)) - 'a';
            if (letter < 0 || letter >= 26 || BY_FIRST_LETTER[letter] == null) {
                continue;
            }
            for (String sink : BY_FIRST_LETTER[letter]) {
                if (k + sink.length() <= to && Ascii.startsWith(s, k, sink)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether chars [from, to) name a sink and call something ('(' or a tagged template's backtick). */
    static boolean called(CharSequence s, int from, int to) {
        return (Ascii.indexOf(s, from, to, "(") >= 0 || Ascii.indexOf(s, from, to, "`") >= 0)
                && mentioned(s, from, to);
    }
}
