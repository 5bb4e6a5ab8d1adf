package io.portcullis.security.cors;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A route's CORS policy, following the Fetch standard's CORS protocol: the CORS filter answers preflights with
 * {@link #preflight} right after routing (they never reach the upstream), and {@link #addResponseHeaders} decorates
 * the response head of every other request on the route, including the gateway's own error answers.
 *
 * <p>Choices where implementations differ (compared with Spring's {@code CorsConfiguration} and Envoy's CORS filter):
 * <ul>
 *   <li>A preflight that fails (origin, method or a header not allowed) is refused outright, as Spring does (403),
 *       not forwarded upstream as Envoy does: the gateway owns CORS on a route that has a policy.</li>
 *   <li>The allowed origin is echoed, except for {@code *} without credentials, which answers {@code *}.
 *       {@code *} with credentials is a construction error (browsers reject it), as in Spring.</li>
 *   <li>Allowed request headers are echoed from Access-Control-Request-Headers once checked, so {@code *} also
 *       covers {@code Authorization} and works with credentials, where a literal {@code *} would not.
 *       {@code *} methods likewise echo the requested method.</li>
 *   <li>Actual responses always get {@code Vary: Origin} (Spring does too), because whether they carry
 *       Access-Control-Allow-Origin depends on the Origin; preflights also vary on the two request headers.</li>
 *   <li>On actual responses the backend's own Access-Control-Allow-Origin, -Allow-Credentials and -Expose-Headers
 *       are replaced by the policy's (Envoy overwrites them too; Spring leaves the response alone if it already has
 *       them): a backend answering {@code *} would otherwise defeat the allowlist.</li>
 *   <li>Defaults: methods GET, HEAD, POST (Spring's); no headers, no exposed headers, no credentials; no max age
 *       (browsers then cache for 5 seconds).</li>
 * </ul>
 *
 * <p>Immutable and thread-safe; built with {@link #builder()}, whose {@code build()} names the offending setting.
 */
public final class CorsPolicy {

    private static final String VARY_PREFLIGHT =
            "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";
    private static final List<String> DEFAULT_METHODS = List.of("GET", "HEAD", "POST");

    private final boolean anyOrigin;
    private final List<OriginPattern> origins;
    private final boolean anyMethod;
    private final Set<String> methods;
    private final String methodsHeader;
    private final boolean anyHeader;
    private final Set<String> headers;
    private final String exposedHeaders;
    private final boolean credentials;
    private final long maxAgeSeconds;

    private CorsPolicy(Builder b, List<OriginPattern> patterns) {
        this.anyOrigin = b.origins.contains("*");
        this.origins = List.copyOf(patterns);
        this.anyMethod = b.methods.contains("*");
        this.methods = Set.copyOf(b.methods);
        this.methodsHeader = String.join(", ", b.methods);
        this.anyHeader = b.headers.contains("*");
        Set<String> lower = new LinkedHashSet<>();
        b.headers.forEach(h -> lower.add(h.toLowerCase(Locale.ROOT)));
        this.headers = Set.copyOf(lower);
        this.exposedHeaders = String.join(", ", b.exposed);
        this.credentials = b.credentials;
        this.maxAgeSeconds = b.maxAge == null ? -1 : b.maxAge.toSeconds();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** An OPTIONS request with an Origin and an Access-Control-Request-Method: a preflight, whatever the route. */
    public static boolean isPreflight(HttpMethod method, HttpHeaders headers) {
        return HttpMethod.OPTIONS.equals(method)
                && headers.contains(HttpHeaderNames.ORIGIN)
                && headers.contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
    }

    /** Whether an Origin header value is allowed (null, malformed and opaque origins only by {@code *}). */
    public boolean allowsOrigin(String origin) {
        if (origin == null || origin.isEmpty()) {
            return false;
        }
        if (anyOrigin) {
            return true;
        }
        Origin parsed = Origin.parse(origin);
        if (parsed == null) {
            return false;
        }
        for (OriginPattern pattern : origins) {
            if (pattern.matches(parsed)) {
                return true;
            }
        }
        return false;
    }

    /** {@link #preflight(String, String, String)} with the values read from the request's headers. */
    public Preflight preflight(HttpHeaders request) {
        List<String> origin = request.getAll(HttpHeaderNames.ORIGIN);
        List<String> method = request.getAll(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
        List<String> requested = request.getAll(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
        // Two Origin or two method fields are not something a browser sends: treat them as absent, hence refused.
        return preflight(origin.size() == 1 ? origin.get(0) : null, method.size() == 1 ? method.get(0) : null,
                String.join(",", requested));
    }

    /**
     * Decides a preflight.
     *
     * @param origin           the Origin header
     * @param requestMethod    the Access-Control-Request-Method header
     * @param requestHeaders   the Access-Control-Request-Headers header (comma-separated), or null or empty
     */
    public Preflight preflight(String origin, String requestMethod, String requestHeaders) {
        if (!allowsOrigin(origin)) {
            return new Preflight.Refused(CorsRefusal.ORIGIN_NOT_ALLOWED,
                    origin == null ? "no Origin" : "origin " + quote(origin) + " is not allowed");
        }
        if (requestMethod == null || !isToken(requestMethod)) {
            return new Preflight.Refused(CorsRefusal.METHOD_NOT_ALLOWED, "Access-Control-Request-Method "
                    + (requestMethod == null ? "is missing" : quote(requestMethod) + " is not a method"));
        }
        if (!anyMethod && !methods.contains(requestMethod)) {
            return new Preflight.Refused(CorsRefusal.METHOD_NOT_ALLOWED, "method " + quote(requestMethod)
                    + " is not allowed; allowed: " + methodsHeader);
        }
        List<String> requested = new ArrayList<>();
        if (requestHeaders != null) {
            for (String token : requestHeaders.split(",")) {
                String name = token.strip().toLowerCase(Locale.ROOT);
                if (name.isEmpty()) {
                    continue;
                }
                if (!isToken(name)) {
                    return new Preflight.Refused(CorsRefusal.HEADERS_NOT_ALLOWED,
                            "Access-Control-Request-Headers " + quote(requestHeaders) + " is malformed");
                }
                if (!anyHeader && !headers.contains(name)) {
                    return new Preflight.Refused(CorsRefusal.HEADERS_NOT_ALLOWED,
                            "header " + quote(name) + " is not allowed");
                }
                if (!requested.contains(name)) {
                    requested.add(name);
                }
            }
        }
        List<Map.Entry<String, String>> answer = new ArrayList<>(6);
        answer.add(Map.entry(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN.toString(), allowOriginValue(origin)));
        if (credentials) {
            answer.add(Map.entry(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS.toString(), "true"));
        }
        answer.add(Map.entry(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS.toString(),
                anyMethod ? requestMethod : methodsHeader));
        if (!requested.isEmpty()) {
            answer.add(Map.entry(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS.toString(),
                    String.join(", ", requested)));
        }
        if (maxAgeSeconds >= 0) {
            answer.add(Map.entry(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE.toString(), Long.toString(maxAgeSeconds)));
        }
        answer.add(Map.entry(HttpHeaderNames.VARY.toString(), VARY_PREFLIGHT));
        return new Preflight.Allowed(answer);
    }

    /**
     * Decorates the response to an actual (non-preflight) request: replaces whatever CORS grant the backend sent with
     * the policy's, adds {@code Vary: Origin}, and grants nothing to a missing or disallowed origin.
     *
     * @param origin   the request's Origin header, or null
     * @param response the response headers, changed in place (call on the event loop that owns them)
     */
    public void addResponseHeaders(String origin, HttpHeaders response) {
        response.remove(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN);
        response.remove(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS);
        response.remove(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS);
        VaryHeader.add(response, "Origin");
        if (!allowsOrigin(origin)) {
            return;
        }
        response.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, allowOriginValue(origin));
        if (credentials) {
            response.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        }
        if (!exposedHeaders.isEmpty()) {
            response.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, exposedHeaders);
        }
    }

    public boolean allowCredentials() {
        return credentials;
    }

    private String allowOriginValue(String origin) {
        return anyOrigin && !credentials ? "*" : origin;
    }

    private static String quote(String value) {
        String shown = value.length() <= 100 ? value : value.substring(0, 100) + "…";
        return "'" + shown + "'";
    }

    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Builds a {@link CorsPolicy}; {@link #build()} validates and names the setting at fault. */
    public static final class Builder {
        private final Set<String> origins = new LinkedHashSet<>();
        private Set<String> methods = new LinkedHashSet<>(DEFAULT_METHODS);
        private final Set<String> headers = new LinkedHashSet<>();
        private final Set<String> exposed = new LinkedHashSet<>();
        private boolean credentials;
        private Duration maxAge;

        private Builder() {}

        /** Exact origins, {@code scheme://*.domain} patterns, or {@code *} alone. Required. */
        public Builder allowedOrigins(Collection<String> values) {
            origins.addAll(values);
            return this;
        }

        /** Method tokens, or {@code *}; replaces the default GET, HEAD, POST. */
        public Builder allowedMethods(Collection<String> values) {
            methods = new LinkedHashSet<>(values);
            return this;
        }

        /** Request header names a preflight may ask for (case-insensitive), or {@code *}. */
        public Builder allowedHeaders(Collection<String> values) {
            headers.addAll(values);
            return this;
        }

        /** Response header names scripts may read, beyond the CORS-safelisted ones. */
        public Builder exposedHeaders(Collection<String> values) {
            exposed.addAll(values);
            return this;
        }

        /** Whether cookies and HTTP authentication may accompany cross-origin requests. */
        public Builder allowCredentials(boolean value) {
            credentials = value;
            return this;
        }

        /** How long browsers may cache a preflight answer (whole seconds; browsers cap it at 2 hours or 1 day). */
        public Builder maxAge(Duration value) {
            maxAge = Objects.requireNonNull(value, "max_age");
            return this;
        }

        public CorsPolicy build() {
            if (origins.isEmpty()) {
                throw new IllegalArgumentException("cors.allowed_origins must list at least one origin");
            }
            if (origins.contains("*") && origins.size() > 1) {
                throw new IllegalArgumentException("cors.allowed_origins: '*' already allows every origin;"
                        + " list it alone");
            }
            if (credentials && origins.contains("*")) {
                throw new IllegalArgumentException("cors.allow_credentials cannot be combined with allowed_origins"
                        + " '*' (browsers refuse it): list the origins instead");
            }
            if (credentials && exposed.contains("*")) {
                throw new IllegalArgumentException("cors.exposed_headers '*' is not a wildcard when"
                        + " allow_credentials is set: list the headers instead");
            }
            if (methods.isEmpty()) {
                throw new IllegalArgumentException("cors.allowed_methods must list at least one method");
            }
            checkTokens("cors.allowed_methods", methods);
            checkTokens("cors.allowed_headers", headers);
            checkTokens("cors.exposed_headers", exposed);
            if (maxAge != null && maxAge.isNegative()) {
                throw new IllegalArgumentException("cors.max_age must be >= 0, was " + maxAge);
            }
            List<OriginPattern> patterns = new ArrayList<>();
            for (String origin : origins) {
                if (!origin.equals("*")) {
                    try {
                        patterns.add(OriginPattern.parse(origin));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("cors." + e.getMessage(), e);
                    }
                }
            }
            return new CorsPolicy(this, patterns);
        }

        private static void checkTokens(String field, Collection<String> values) {
            for (String value : values) {
                if (!isToken(value)) {
                    throw new IllegalArgumentException(field + ": '" + value + "' is not a valid token");
                }
            }
        }
    }
}
