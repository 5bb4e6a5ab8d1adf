package io.portcullis.security.injection;

/**
 * Finds SQL injection in one normalised value by reading it in each context an application could paste it into:
 * bare ({@code WHERE id = 42}), after a single quote and after a double quote. A quoted context is only tried when
 * the value holds that quote, since without it the value cannot leave the string. The rule names the evidence,
 * the context and the fingerprint of the first tokens, e.g. {@code sqli.tautology/'/s&n=nc}.
 */
final class SqlInjectionDetector {
    private static final int FINGERPRINT_TOKENS = 12;
    private static final char[] CONTEXTS = {0, '\'', '"'};
    private static final String[] CONTEXT_NAMES = {"bare", "'", "\""};

    private SqlInjectionDetector() {}

    /** The rule that matched, or null when the value reads as data in every context. */
    static String detect(CharSequence value) {
        boolean single = false;
        boolean dbl = false;
        boolean separated = false;
        for (int i = 0, n = value.length(); i < n; i++) {
            char c = value.charAt(i);
            single |= c == '\'';
            dbl |= c == '"';
            separated |= !isPlain(c);
        }
        if (!separated) {
            return null; // one word, number or dotted name: SQL needs at least an operator or a space
        }
        SqlTokenizer tokens = new SqlTokenizer(value);
        for (int k = 0; k < CONTEXTS.length; k++) {
            if (k == 1 && !single || k == 2 && !dbl) {
                continue;
            }
            String rule = SqlContextParser.match(tokens.reset(CONTEXTS[k]));
            if (rule != null) {
                return "sqli." + rule + "/" + CONTEXT_NAMES[k] + "/" + tokens.fingerprint(FINGERPRINT_TOKENS);
            }
        }
        return null;
    }

    /** Characters that cannot separate two SQL tokens (so a value made of them is a single token). */
    private static boolean isPlain(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.'
                || c == ':' || c == '/' || c >= 0x80 && Character.isLetterOrDigit(c);
    }
}
