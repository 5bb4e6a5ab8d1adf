package io.portcullis.route;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Compiles config regexes, turning a syntax error into a message that names the offending field. */
final class RegexCompiler {

    private RegexCompiler() {
    }

    static Pattern compile(String where, String regex) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(where + ": invalid regex '" + regex + "': " + e.getDescription(), e);
        }
    }
}
