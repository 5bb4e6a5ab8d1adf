package io.portcullis.security.validate;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The rules for one query parameter of a route, checked by {@link QueryRules} against every decoded value.
 *
 * <p>Built with {@link #named(String)}; {@code build()} refuses contradictions with a message naming the parameter
 * (an allowed value that does not have the declared type, a pattern that does not compile). The pattern comes from
 * config and is matched against the whole decoded value ({@link java.util.regex.Matcher#matches()}); its cost is the
 * config author's, but the input it runs on is bounded by the request line limit.
 */
public final class QueryParam {

    private final String name;
    private final boolean required;
    private final boolean repeatable;
    private final int maxLength;
    private final Pattern pattern;
    private final Set<String> allowedValues;
    private final ParamType type;
    private final String allowedDescribed;

    private QueryParam(Builder b) {
        this.name = b.name;
        this.required = b.required;
        this.repeatable = b.repeatable;
        this.maxLength = b.maxLength;
        this.pattern = b.pattern;
        this.allowedValues = Set.copyOf(b.allowedValues);
        this.type = b.type;
        this.allowedDescribed = String.join(", ", new TreeSet<>(b.allowedValues));
    }

    /** Starts the rules for parameter {@code name} (matched case-sensitively, after decoding). */
    public static Builder named(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    public boolean required() {
        return required;
    }

    public boolean repeatable() {
        return repeatable;
    }

    /** Longest value in code points; {@link Integer#MAX_VALUE} when unlimited. */
    public int maxLength() {
        return maxLength;
    }

    /** The whole-value pattern, or null for none. */
    public Pattern pattern() {
        return pattern;
    }

    /** The only values accepted, or empty for any. */
    public Set<String> allowedValues() {
        return allowedValues;
    }

    public ParamType type() {
        return type;
    }

    /** The first rule {@code value} breaks, as a violation of {@code query.<name>}, or null if it breaks none. */
    Violation check(String value) {
        String where = "query." + name;
        if (!type.accepts(value)) {
            return new Violation(where, "must be " + article(type) + " " + type.configName(), "type");
        }
        if (maxLength != Integer.MAX_VALUE && value.codePointCount(0, value.length()) > maxLength) {
            return new Violation(where, "must be at most " + maxLength + " characters", "max_length");
        }
        if (!allowedValues.isEmpty() && !allowedValues.contains(value)) {
            return new Violation(where, "must be one of " + allowedDescribed, "allowed_values");
        }
        if (pattern != null && !pattern.matcher(value).matches()) {
            return new Violation(where, "must match " + pattern.pattern(), "pattern");
        }
        return null;
    }

    private static String article(ParamType type) {
        return type == ParamType.INTEGER ? "an" : "a";
    }

    /** Builds a {@link QueryParam}; defaults: optional, single, any string of any length. */
    public static final class Builder {
        private final String name;
        private boolean required;
        private boolean repeatable;
        private int maxLength = Integer.MAX_VALUE;
        private Pattern pattern;
        private final Set<String> allowedValues = new LinkedHashSet<>();
        private ParamType type = ParamType.STRING;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("query parameter name must not be empty");
            }
        }

        public Builder required(boolean required) {
            this.required = required;
            return this;
        }

        /** Whether the parameter may appear more than once ({@code ?tag=a&tag=b}); each value is checked. */
        public Builder repeatable(boolean repeatable) {
            this.repeatable = repeatable;
            return this;
        }

        public Builder maxLength(int maxLength) {
            if (maxLength < 1) {
                throw new IllegalArgumentException("query." + name + ".max_length must be > 0, was " + maxLength);
            }
            this.maxLength = maxLength;
            return this;
        }

        /** A Java regular expression the whole decoded value must match. */
        public Builder pattern(String regex) {
            try {
                this.pattern = Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("query." + name + ".pattern is not a valid regular expression: "
                        + e.getDescription() + " near index " + e.getIndex(), e);
            }
            return this;
        }

        public Builder allowedValues(Collection<String> values) {
            allowedValues.addAll(values);
            return this;
        }

        public Builder type(ParamType type) {
            this.type = Objects.requireNonNull(type, "type");
            return this;
        }

        public QueryParam build() {
            for (String value : allowedValues) {
                if (!type.accepts(value)) {
                    throw new IllegalArgumentException("query." + name + ".allowed_values has '" + value
                            + "', which is not " + article(type) + " " + type.configName());
                }
            }
            return new QueryParam(this);
        }
    }
}
