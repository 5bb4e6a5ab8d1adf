package io.portcullis.security.validate;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A route's query-parameter rules: the 400 check the validation filter runs on the request target, before the body.
 *
 * <p>Each declared {@link QueryParam} is checked on every decoded value; at most one violation is reported per
 * parameter (the first rule its first bad value breaks), so the answer stays short. Parameters not declared are
 * accepted unless {@code allowUnknown(false)}, in which case each distinct unknown name is one violation. A query
 * that cannot be decoded (bad percent-escape, invalid UTF-8) is one violation for {@code query}: validating a
 * string other than the one the backend will decode would be worse than refusing. {@link #none()} checks nothing.
 *
 * <p>Immutable and thread-safe.
 */
public final class QueryRules {

    private static final QueryRules NONE = new QueryRules(Map.of(), true);

    private final Map<String, QueryParam> params;
    private final boolean allowUnknown;

    private QueryRules(Map<String, QueryParam> params, boolean allowUnknown) {
        this.params = params;
        this.allowUnknown = allowUnknown;
    }

    /** No rules: any query is accepted (and not even decoded). */
    public static QueryRules none() {
        return NONE;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The declared parameters by name, in declaration order. */
    public Collection<QueryParam> params() {
        return params.values();
    }

    public boolean allowUnknown() {
        return allowUnknown;
    }

    /**
     * Checks a raw query string: the part of the request target after {@code ?} (a leading {@code ?} is skipped),
     * still percent-encoded; null or empty for none.
     */
    public List<Violation> check(String rawQuery) {
        if (this == NONE) {
            return List.of();
        }
        QueryDecoder.Decoded decoded = QueryDecoder.decode(rawQuery);
        if (decoded.malformed() != null) {
            return List.of(new Violation("query", "cannot decode '" + abbreviate(decoded.malformed())
                    + "': bad percent-encoding or invalid UTF-8", "malformed"));
        }
        List<Violation> violations = new ArrayList<>(0);
        for (QueryParam rule : params.values()) {
            List<String> values = decoded.params().get(rule.name());
            if (values == null) {
                if (rule.required()) {
                    violations.add(new Violation("query." + rule.name(), "is required", "required"));
                }
                continue;
            }
            if (values.size() > 1 && !rule.repeatable()) {
                violations.add(new Violation("query." + rule.name(), "must appear once, appeared " + values.size()
                        + " times", "repeated"));
                continue;
            }
            for (String value : values) {
                Violation broken = rule.check(value);
                if (broken != null) {
                    violations.add(broken);
                    break;
                }
            }
        }
        if (!allowUnknown) {
            for (String name : decoded.params().keySet()) {
                if (!params.containsKey(name)) {
                    violations.add(new Violation("query." + abbreviate(name), "is not a known parameter", "unknown"));
                }
            }
        }
        return violations;
    }

    /** Splits {@code uri} at {@code ?} (and drops a {@code #fragment}) and checks the query part. */
    public List<Violation> checkUri(String uri) {
        int question = uri.indexOf('?');
        if (question < 0) {
            return check(null);
        }
        int hash = uri.indexOf('#', question);
        return check(uri.substring(question + 1, hash < 0 ? uri.length() : hash));
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }

    /** Builds {@link QueryRules}; defaults: no declared parameters, unknown parameters allowed. */
    public static final class Builder {
        private final Map<String, QueryParam> params = new LinkedHashMap<>();
        private boolean allowUnknown = true;

        private Builder() {}

        public Builder param(QueryParam param) {
            if (params.putIfAbsent(param.name(), param) != null) {
                throw new IllegalArgumentException("query parameter '" + param.name() + "' is declared twice");
            }
            return this;
        }

        public Builder allowUnknown(boolean allowUnknown) {
            this.allowUnknown = allowUnknown;
            return this;
        }

        public QueryRules build() {
            return new QueryRules(Collections.unmodifiableMap(new LinkedHashMap<>(params)), allowUnknown);
        }
    }
}
