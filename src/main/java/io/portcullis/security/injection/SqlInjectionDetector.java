package io.portcullis.security.injection;

/**
 * Finds SQL injection in one normalised value by reading it in each context an application could paste it into:
 * bare ({@code WHERE id = 42}), after a single quote and after a double quote. A quoted context is only tried when
 * the value holds that quote, since without it the value cannot leave the string. When the value's first single
 * quote is a name's apostrophe ({@code O'Hara' UNION SELECT ...}), the single-quote context is read once more with
 * the string running past it to the next quote, and only evidence of an attack (UNION SELECT, a tautology, ...)
 * counts there, since the reading is a guess. The rule names the evidence, the context and the fingerprint of the first
 * tokens, e.g. {@code sqli.tautology/'/s&n=nc}.
 */
final class SqlInjectionDetector {
    private static final int FINGERPRINT_TOKENS = 12;
    private static final char[] CONTEXTS = {0, '\'', '"'};
    private static final String[] CONTEXT_NAMES = {"bare", "'", "\""};
    private static final String AFTER_APOSTROPHE = "name'";

    private SqlInjectionDetector() {}

    /** The rule that matched, or null when the value reads as data in every context. */
    static String detect(CharSequence value) {
        int firstSingle = -1;
        int singles = 0;
        boolean dbl = false;
        boolean separated = false;
        for (int i = 0, n = value.length(); i < n; i++) {
            char c = value.charAt(i);
            if (c == '\'' && singles++ == 0) {
                firstSingle = i;
            }
            dbl |= c == '"';
            separated |= !isPlain(c);
        }
        if (!separated) {
            return null; // one word, number or dotted name: SQL needs at least an operator or a space
        }
        SqlTokenizer tokens = new SqlTokenizer(value);
        for (int k = 0; k < CONTEXTS.length; k++) {
            if (k == 1 && singles == 0 || k == 2 && !dbl) {
                continue;
            }
            String rule = SqlContextParser.match(tokens.reset(CONTEXTS[k]));
            if (rule != null) {
                return rule(rule, CONTEXT_NAMES[k], tokens);
            }
        }
        if (singles > 1 && isLetter(value, firstSingle - 1) && isLetter(value, firstSingle + 1)) {
            String rule = SqlContextParser.matchEvidence(tokens.reset('\'', firstSingle + 1));
            if (rule != null) {
                return rule(rule, AFTER_APOSTROPHE, tokens);
            }
        }
        return null;
    }

    private static String rule(String rule, String context, SqlTokenizer tokens) {
        return "sqli." + rule + "/" + context + "/" + tokens.fingerprint(FINGERPRINT_TOKENS);
    }

    private static boolean isLetter(CharSequence value, int i) {
        return i >= 0 && i < value.length() && Character.isLetter(value.charAt(i));
    }

    /** Characters that cannot separate two SQL tokens (so a value made of them is a single token). */
    private static boolean isPlain(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.'
                || c == ':' || c == '/' || c >= 0x80 && Character.isLetterOrDigit(c);
    }
}
