package io.portcullis.route;

import io.netty.handler.codec.http.HttpHeaders;
import io.portcullis.config.RouteConfig.HeaderMatch;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One compiled {@link HeaderMatch}. Header names are case-insensitive (Netty's headers compare them so); values are
 * compared case-sensitively, and each occurrence of a repeated header is one value (no comma splitting).
 */
final class HeaderCondition {

    private final String name;
    private final String exact;
    private final Pattern regex;
    private final boolean present;

    private HeaderCondition(String name, String exact, Pattern regex, boolean present) {
        this.name = name;
        this.exact = exact;
        this.regex = regex;
        this.present = present;
    }

    /** @param where names the field in error messages, e.g. {@code route 'api' headers[2]} */
    static HeaderCondition compile(String where, HeaderMatch match) {
        int kinds = (match.exact() != null ? 1 : 0) + (match.regex() != null ? 1 : 0)
                + (match.present() != null ? 1 : 0);
        if (kinds != 1) {
            throw new IllegalArgumentException(
                    where + " (" + match.name() + "): exactly one of exact, regex, present must be set, was " + kinds);
        }
        if (match.regex() != null) {
            return new HeaderCondition(match.name(), null, RegexCompiler.compile(where + ".regex", match.regex()), true);
        }
        if (match.exact() != null) {
            return new HeaderCondition(match.name(), match.exact(), null, true);
        }
        return new HeaderCondition(match.name(), null, null, match.present());
    }

    /** Allocation-free except for regex conditions, which need a list of values and a matcher. */
    boolean test(HttpHeaders headers) {
        if (exact != null) {
            return headers.contains(name, exact, false);
        }
        if (regex != null) {
            List<String> values = headers.getAll(name);
            for (int i = 0, n = values.size(); i < n; i++) {
                if (regex.matcher(values.get(i)).matches()) {
                    return true;
                }
            }
            return false;
        }
        return headers.contains(name) == present;
    }
}
