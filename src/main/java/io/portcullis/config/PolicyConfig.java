package io.portcullis.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a route (or every route of a listener) requires of a request before it goes upstream: the {@code security:}
 * block. On a route, each section that is set replaces the listener's; IP rules of both apply. The filters run in a
 * fixed order whatever the order in the file: IP lists, CORS, authentication, authorization, rate limits, validation,
 * injection.
 *
 * @param isPublic    route only: no authentication even when the listener requires it
 * @param requireAuth listener only: every route that is not public must authenticate
 * @param ip          IP allow and deny rules, or null
 * @param auth        accepted ways to authenticate ({@code jwt:<provider>}, {@code api_key}, {@code mtls}); empty
 *                    = none configured here
 * @param authorize   roles, scopes or consumers required, or null
 * @param validate    request shape checks, or null
 * @param injection   the SQL-injection/XSS filter, or null
 * @param cors        CORS, or null
 * @param headers     security response headers, or null
 * @param rateLimits  names of {@code rate_limits} that apply; a route's add to its listener's
 * @param priority    the overload class of the route's requests, or null for the default
 */
public record PolicyConfig(boolean isPublic, boolean requireAuth, IpRule ip, List<String> auth, Authorize authorize,
        Validate validate, Injection injection, Cors cors, SecurityHeaders headers, List<String> rateLimits,
        String priority) {

    public static final PolicyConfig NONE = new PolicyConfig(false, false, null, List.of(), null, null, null, null,
            null, List.of(), null);

    public PolicyConfig {
        auth = List.copyOf(auth);
        rateLimits = List.copyOf(rateLimits);
    }

    /** IPs allowed and denied (CIDRs), and named lists from {@code security.ip_lists} whose rules apply too. */
    public record IpRule(List<String> allow, List<String> deny, List<String> lists) {
        public IpRule {
            allow = List.copyOf(allow);
            deny = List.copyOf(deny);
            lists = List.copyOf(lists);
        }
    }

    /** Every non-empty condition must hold. */
    public record Authorize(List<String> rolesAnyOf, List<String> rolesAllOf, List<String> scopesAnyOf,
            List<String> scopesAllOf, List<String> consumers) {
        public Authorize {
            rolesAnyOf = List.copyOf(rolesAnyOf);
            rolesAllOf = List.copyOf(rolesAllOf);
            scopesAnyOf = List.copyOf(scopesAnyOf);
            scopesAllOf = List.copyOf(scopesAllOf);
            consumers = List.copyOf(consumers);
        }
    }

    /**
     * @param methods            allowed methods (upper case); empty = any
     * @param contentTypes       media types a request body may have; empty = any
     * @param jsonSchema         JSON Schema file request bodies must satisfy, or null
     * @param maxJsonDepth       deepest nesting of a JSON body
     * @param maxJsonSize        largest JSON body in bytes
     * @param query              rules per query parameter
     * @param allowUnknownQuery  parameters without a rule are allowed
     */
    public record Validate(List<String> methods, List<String> contentTypes, Path jsonSchema, int maxJsonDepth,
            long maxJsonSize, Map<String, QueryParam> query, boolean allowUnknownQuery) {
        public static final int DEFAULT_MAX_DEPTH = 32;
        public static final long DEFAULT_MAX_JSON = 1 << 20;

        public Validate {
            methods = List.copyOf(methods);
            contentTypes = List.copyOf(contentTypes);
            query = Map.copyOf(query);
        }

        /** The body is read in full and parsed. */
        public boolean checksBody() {
            return jsonSchema != null || maxJsonDepth > 0;
        }
    }

    /**
     * @param type       {@code string}, {@code integer}, {@code number} or {@code boolean}
     * @param maxLength  longest value, or 0 for no limit
     * @param pattern    a regex the whole value must match, or null
     * @param values     allowed values; empty = any
     */
    public record QueryParam(boolean required, String type, int maxLength, String pattern, List<String> values,
            boolean repeated) {
        public QueryParam {
            values = List.copyOf(values);
        }
    }

    /**
     * @param mode     {@code block} answers 403; {@code detect} logs, counts and lets the request pass
     * @param headers  request headers scanned besides path and query
     * @param maxBody  form and JSON bodies are scanned up to this many bytes (read in full first); 0 = bodies not
     *                 scanned
     */
    public record Injection(Mode mode, List<String> headers, long maxBody) {
        public enum Mode { BLOCK, DETECT }

        public Injection {
            Objects.requireNonNull(mode, "mode");
            headers = List.copyOf(headers);
        }
    }

    /**
     * @param origins       exact origins, {@code https://*.example.com} patterns, or {@code *}
     * @param maxAge        how long browsers may cache a preflight answer, or null
     */
    public record Cors(List<String> origins, List<String> methods, List<String> headers, List<String> exposeHeaders,
            boolean credentials, Duration maxAge) {
        public Cors {
            origins = List.copyOf(origins);
            methods = List.copyOf(methods);
            headers = List.copyOf(headers);
            exposeHeaders = List.copyOf(exposeHeaders);
        }
    }

    /** Response headers added unless the backend set them: a preset of safe defaults and explicit fields. */
    public record SecurityHeaders(boolean defaults, List<Map.Entry<String, String>> extra) {
        public SecurityHeaders {
            extra = List.copyOf(extra);
        }
    }
}
