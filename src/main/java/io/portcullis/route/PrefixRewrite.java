package io.portcullis.route;

/**
 * Replaces a route's matched {@code path_prefix} with {@code rewrite.prefix} in the request target sent upstream.
 *
 * <p>Unlike a bare string replacement (Envoy's {@code prefix_rewrite}, where {@code /api/} → {@code /v2} turns
 * {@code /api/users} into {@code /v2users}), the two halves are joined with exactly one slash whenever there was a
 * slash at the match boundary, either at the end of the prefix or at the start of the rest: {@code /api} →
 * {@code /} gives {@code /users}, not {@code //users}; {@code /api/} → {@code /v2} gives {@code /v2/users}. Without a
 * slash at the boundary nothing is inserted ({@code /api} → {@code /v2} turns {@code /apix} into {@code /v2x}, the
 * consequence of plain-prefix matching). A result that would not start with {@code /} gets one.
 */
final class PrefixRewrite {

    private final String from;
    private final String to;
    private final boolean toEndsWithSlash;

    private PrefixRewrite(String from, String to) {
        this.from = from;
        this.to = to;
        this.toEndsWithSlash = to.endsWith("/");
    }

    /** @return null when the route has no prefix rewrite */
    static PrefixRewrite of(String where, String pathPrefix, String replacement) {
        if (replacement == null) {
            return null;
        }
        if (pathPrefix == null) {
            throw new IllegalArgumentException(where + ": rewrite.prefix is only valid with match.path_prefix");
        }
        if (!replacement.isEmpty() && replacement.charAt(0) != '/') {
            throw new IllegalArgumentException(
                    where + ": rewrite.prefix must be empty or start with '/', was '" + replacement + "'");
        }
        return new PrefixRewrite(pathPrefix, replacement);
    }

    String apply(String pathAndQuery) {
        if (!pathAndQuery.startsWith(from)) {
            return pathAndQuery;
        }
        int rest = from.length();
        int end = pathAndQuery.length();
        boolean slashAtBoundary = from.endsWith("/");
        if (rest < end && pathAndQuery.charAt(rest) == '/') {
            slashAtBoundary = true;
            rest++;
        }
        StringBuilder out = new StringBuilder(to.length() + end - rest + 2);
        out.append(to);
        if (slashAtBoundary && !toEndsWithSlash) {
            out.append('/');
        }
        out.append(pathAndQuery, rest, end);
        if (out.isEmpty() || out.charAt(0) != '/') {
            out.insert(0, '/');
        }
        return out.toString();
    }
}
