package io.portcullis.security.cors;

import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Security response headers a route adds to every response head on its way back to the client, from the upstream
 * or from the gateway itself.
 *
 * <p>{@link #defaults()} is {@code X-Content-Type-Options: nosniff}, {@code X-Frame-Options: DENY} and
 * {@code Referrer-Policy: no-referrer}: safe for an API, whose responses are never meant to be sniffed, framed or to
 * leak their URL. Content-Security-Policy and Strict-Transport-Security are added only when configured, because a
 * wrong CSP breaks pages and HSTS cannot be taken back before its max-age runs out. HSTS is sent only on responses
 * over TLS (RFC 6797 §7.2).
 *
 * <p>By default a header the backend already set is left alone (the backend knows its content better), so the
 * gateway fills gaps; {@code override(true)} makes the gateway's values win instead. Immutable and thread-safe.
 */
public final class SecurityHeaders {

    private static final String HSTS = "strict-transport-security";
    private static final SecurityHeaders NONE = new SecurityHeaders(List.of(), false);
    private static final SecurityHeaders DEFAULTS = builder().build();

    private final List<Map.Entry<String, String>> headers;
    private final boolean override;

    private SecurityHeaders(List<Map.Entry<String, String>> headers, boolean override) {
        this.headers = List.copyOf(headers);
        this.override = override;
    }

    /** nosniff, DENY, no-referrer; nothing overridden. */
    public static SecurityHeaders defaults() {
        return DEFAULTS;
    }

    /** Adds nothing: the switched-off feature. */
    public static SecurityHeaders none() {
        return NONE;
    }

    /** A builder that starts from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The headers this adds, in order, as configured. */
    public List<Map.Entry<String, String>> headers() {
        return headers;
    }

    public boolean overrides() {
        return override;
    }

    /**
     * Adds the headers to a response head.
     *
     * @param response the response headers, changed in place
     * @param secure   whether the response goes out over TLS (Strict-Transport-Security is skipped otherwise)
     */
    public void applyTo(HttpHeaders response, boolean secure) {
        for (Map.Entry<String, String> header : headers) {
            String name = header.getKey();
            if (!secure && name.equalsIgnoreCase(HSTS)) {
                continue;
            }
            if (override || !response.contains(name)) {
                response.set(name, header.getValue());
            }
        }
    }

    /** Builds {@link SecurityHeaders}; names are case-insensitive, and setting one again replaces it. */
    public static final class Builder {
        private final Map<String, Map.Entry<String, String>> headers = new LinkedHashMap<>();
        private boolean override;

        private Builder() {
            header("X-Content-Type-Options", "nosniff");
            header("X-Frame-Options", "DENY");
            header("Referrer-Policy", "no-referrer");
        }

        /** Sets a header (replacing a default of the same name). */
        public Builder header(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (!CorsPolicy.isToken(name)) {
                throw new IllegalArgumentException("security_headers: '" + name + "' is not a valid header name");
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '\r' || c == '\n' || c == 0) {
                    throw new IllegalArgumentException("security_headers." + name
                            + " must not contain CR, LF or NUL");
                }
            }
            headers.put(name.toLowerCase(Locale.ROOT), Map.entry(name, value.strip()));
            return this;
        }

        /** Drops a header, for example a default the route does not want. */
        public Builder remove(String name) {
            headers.remove(name.toLowerCase(Locale.ROOT));
            return this;
        }

        public Builder contentSecurityPolicy(String policy) {
            return header("Content-Security-Policy", policy);
        }

        /** Strict-Transport-Security with {@code max-age} in whole seconds; sent over TLS only. */
        public Builder strictTransportSecurity(Duration maxAge, boolean includeSubDomains) {
            if (maxAge.isNegative()) {
                throw new IllegalArgumentException("security_headers.hsts.max_age must be >= 0, was " + maxAge);
            }
            return header("Strict-Transport-Security",
                    "max-age=" + maxAge.toSeconds() + (includeSubDomains ? "; includeSubDomains" : ""));
        }

        /** Whether the gateway's values replace the backend's (default false: the backend's win). */
        public Builder override(boolean value) {
            override = value;
            return this;
        }

        public SecurityHeaders build() {
            return new SecurityHeaders(new ArrayList<>(headers.values()), override);
        }
    }
}
