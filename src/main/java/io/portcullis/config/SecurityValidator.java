package io.portcullis.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.security.apikey.ApiKeyFile;
import io.portcullis.security.cors.CorsPolicy;
import io.portcullis.security.files.FileFormatException;
import io.portcullis.security.ip.Cidr;
import io.portcullis.security.ip.IpListFile;
import io.portcullis.security.jwt.KeySource;
import io.portcullis.security.validate.BodySchema;
import io.portcullis.security.validate.BodySchemaException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The part of {@link SemanticValidator} for {@code security:} blocks: names and references (JWT providers, IP
 * lists, API keys), CIDRs, files that must load now (JWKS, key and IP-list files, JSON Schemas), and policies that
 * cannot work (authorization without authentication, a listener that requires authentication with a route that
 * has no way to authenticate).
 */
final class SecurityValidator {
    private final SourceTree tree;
    private final List<ConfigError> errors;
    private final Path baseDir;
    private final Set<String> jwtNames = new HashSet<>();
    private final Set<String> ipLists = new HashSet<>();
    private boolean apiKeys;
    private final Set<String> rateLimitNames = new HashSet<>();

    private SecurityValidator(SourceTree tree, List<ConfigError> errors, Path baseDir) {
        this.tree = tree;
        this.errors = errors;
        this.baseDir = baseDir;
    }

    static void validate(SourceTree tree, List<ConfigError> errors, Path baseDir) {
        new SecurityValidator(tree, errors, baseDir).validate();
    }

    private void validate() {
        JsonNode root = tree.root();
        JsonNode security = root.path("security");
        jwt(security.path("jwt"));
        apiKeys(security.path("api_keys"));
        ipLists(security.path("ip_lists"));
        rateLimits(root.path("rate_limits"), root.path("redis"));
        overload(root.path("overload"), root.path("routes"));
        AnomalyBinder.check(root.path("anomaly_detection"), tree, errors);
        JsonNode listeners = root.path("listeners");
        JsonNode routes = root.path("routes");
        for (int i = 0; i < listeners.size(); i++) {
            String path = SourceTree.child("/listeners", i);
            JsonNode listener = listeners.path(i);
            cidrs(listener.path("trusted_proxies"), path + "/trusted_proxies");
            policy(listener.path("security"), path + "/security", false);
        }
        for (int i = 0; i < routes.size(); i++) {
            policy(routes.path(i).path("security"), SourceTree.child("/routes", i) + "/security", true);
        }
        crossCheck(listeners, routes);
    }

    private void jwt(JsonNode providers) {
        for (int i = 0; i < providers.size(); i++) {
            JsonNode p = providers.path(i);
            String path = SourceTree.child("/security/jwt", i);
            String name = p.path("name").textValue();
            if (name != null && !jwtNames.add(name)) {
                errors.add(tree.errorAt(path + "/name", "duplicate JWT provider name '" + name + "'"));
            }
            int sources = (p.has("jwks_url") ? 1 : 0) + (p.has("jwks_file") ? 1 : 0);
            if (sources > 1) {
                errors.add(tree.errorAt(path + "/jwks_file", "give keys by jwks_url or jwks_file, not both"));
            } else if (sources == 0 && !p.has("hmac_secret")) {
                errors.add(tree.errorAt(path, "JWT provider '" + name + "' has no keys: set jwks_url, jwks_file or"
                        + " hmac_secret"));
            }
            Path file = ConfigBinder.path(p.path("jwks_file"), baseDir);
            if (file != null) {
                try {
                    KeySource.fromFile(file);
                } catch (IOException | RuntimeException e) {
                    errors.add(tree.errorAt(path + "/jwks_file", e.getMessage()));
                }
            }
            JsonNode secret = p.path("hmac_secret");
            if (secret.isTextual() && secret.textValue().getBytes(StandardCharsets.UTF_8).length < 32) {
                errors.add(tree.errorAt(path + "/hmac_secret", "hmac_secret must be at least 32 bytes (256 bits)"
                        + " for HS256"));
            }
            for (JsonNode alg : p.path("algorithms")) {
                if (alg.isTextual() && alg.textValue().startsWith("HS") && !secret.isTextual()) {
                    errors.add(tree.errorAt(path + "/algorithms", alg.textValue() + " needs hmac_secret: HMAC"
                            + " tokens are only accepted with a shared secret"));
                }
            }
            for (String field : List.of("clock_skew", "refresh_interval", "min_refetch_interval", "fetch_timeout")) {
                duration(p.path(field), path + "/" + field);
            }
        }
    }

    private void apiKeys(JsonNode keys) {
        if (!keys.isObject()) {
            return;
        }
        apiKeys = true;
        duration(keys.path("reload_interval"), "/security/api_keys/reload_interval");
        Map<String, String> hashes = new HashMap<>();
        Set<String> names = new HashSet<>();
        JsonNode consumers = keys.path("consumers");
        for (int i = 0; i < consumers.size(); i++) {
            String path = SourceTree.child("/security/api_keys/consumers", i);
            String name = consumers.path(i).path("name").textValue();
            if (name != null && !names.add(name)) {
                errors.add(tree.errorAt(path + "/name", "duplicate consumer name '" + name + "'"));
            }
            for (JsonNode hash : consumers.path(i).path("keys")) {
                String other = hash.isTextual() ? hashes.putIfAbsent(hash.textValue(), name) : null;
                if (other != null && !other.equals(name)) {
                    errors.add(tree.errorAt(path + "/keys", "a key hash belongs to two consumers ('" + other
                            + "' and '" + name + "')"));
                }
            }
        }
        Path file = ConfigBinder.path(keys.path("file"), baseDir);
        if (file != null) {
            try {
                ApiKeyFile.read(file);
            } catch (FileFormatException e) {
                errors.add(tree.errorAt("/security/api_keys/file", e.getMessage()));
            }
        }
    }

    private void ipLists(JsonNode lists) {
        for (int i = 0; i < lists.size(); i++) {
            JsonNode l = lists.path(i);
            String path = SourceTree.child("/security/ip_lists", i);
            String name = l.path("name").textValue();
            if (name != null && !ipLists.add(name)) {
                errors.add(tree.errorAt(path + "/name", "duplicate IP list name '" + name + "'"));
            }
            cidrs(l.path("allow"), path + "/allow");
            cidrs(l.path("deny"), path + "/deny");
            for (String field : List.of("allow_file", "deny_file")) {
                Path file = ConfigBinder.path(l.path(field), baseDir);
                if (file != null) {
                    try {
                        IpListFile.read(file);
                    } catch (FileFormatException e) {
                        errors.add(tree.errorAt(path + "/" + field, e.getMessage()));
                    }
                }
            }
            duration(l.path("reload_interval"), path + "/reload_interval");
        }
    }

    private void policy(JsonNode policy, String path, boolean route) {
        if (!policy.isObject()) {
            return;
        }
        if (route && policy.has("require_auth")) {
            errors.add(tree.errorAt(path + "/require_auth", "require_auth belongs on a listener; on a route, list"
                    + " auth methods (or mark it public)"));
        }
        if (!route && policy.has("public")) {
            errors.add(tree.errorAt(path + "/public", "public belongs on a route"));
        }
        JsonNode ip = policy.path("ip");
        cidrs(ip.path("allow"), path + "/ip/allow");
        cidrs(ip.path("deny"), path + "/ip/deny");
        JsonNode lists = ip.path("lists");
        for (int i = 0; i < lists.size(); i++) {
            if (lists.path(i).isTextual() && !ipLists.contains(lists.path(i).textValue())) {
                errors.add(tree.errorAt(SourceTree.child(path + "/ip/lists", i), "unknown IP list '"
                        + lists.path(i).textValue() + "'; define it under security.ip_lists"));
            }
        }
        JsonNode auth = policy.path("auth");
        for (int i = 0; i < auth.size(); i++) {
            authMethod(auth.path(i).asText(), SourceTree.child(path + "/auth", i));
        }
        if (route && policy.path("public").asBoolean(false) && policy.has("authorize")) {
            errors.add(tree.errorAt(path + "/authorize", "a public route authenticates nobody, so it cannot"
                    + " authorize; remove public or authorize"));
        }
        validate(policy.path("validate"), path + "/validate");
        cors(policy.path("cors"), path + "/cors");
        JsonNode limits = policy.path("rate_limits");
        for (int i = 0; i < limits.size(); i++) {
            if (limits.path(i).isTextual() && !rateLimitNames.contains(limits.path(i).textValue())) {
                errors.add(tree.errorAt(SourceTree.child(path + "/rate_limits", i), "unknown rate limit '"
                        + limits.path(i).textValue() + "'; define it under rate_limits"));
            }
        }
    }

    private void overload(JsonNode overload, JsonNode routes) {
        Set<String> classes = new HashSet<>();
        overload.path("classes").forEach(c -> classes.add(c.asText()));
        if (overload.isObject() && !overload.has("classes")) {
            classes.addAll(List.of("low", "normal", "high"));
        }
        knownClasses(overload.path("roles"), "/overload/roles/", classes);
        knownClasses(overload.path("consumers"), "/overload/consumers/", classes);
        JsonNode header = overload.path("header");
        knownClasses(header.path("values"), "/overload/header/values/", classes);
        if (header.path("name").isTextual()) {
            Set<String> gatewaySet = gatewaySetHeaders();
            if (!gatewaySet.contains(header.path("name").textValue().toLowerCase(Locale.ROOT))) {
                errors.add(tree.errorAt("/overload/header/name", "'" + header.path("name").textValue()
                        + "' is not a header the gateway sets, so a client could choose its own priority; use one"
                        + " of " + gatewaySet + " (the consumer header or a JWT claims_to_headers target)"));
            }
        }
        int min = overload.path("min_limit").asInt(10);
        int initial = overload.path("initial_limit").asInt(100);
        int max = overload.path("max_limit").asInt(1000);
        if (overload.isObject() && !(min <= initial && initial <= max)) {
            errors.add(tree.errorAt("/overload", "limits must satisfy min_limit <= initial_limit <= max_limit, were "
                    + min + ", " + initial + ", " + max));
        }
        duration(overload.path("max_queue_time"), "/overload/max_queue_time");
        duration(overload.path("retry_after"), "/overload/retry_after");
        for (int i = 0; i < routes.size(); i++) {
            JsonNode priority = routes.path(i).path("security").path("priority");
            if (!priority.isTextual()) {
                continue;
            }
            String path = SourceTree.child("/routes", i) + "/security/priority";
            if (!overload.isObject()) {
                errors.add(tree.errorAt(path, "a priority needs the top-level overload section"));
            } else if (!classes.contains(priority.textValue())) {
                errors.add(tree.errorAt(path, "unknown class '" + priority.textValue() + "'; overload.classes has "
                        + classes));
            }
        }
    }

    private void knownClasses(JsonNode map, String path, Set<String> classes) {
        map.properties().forEach(e -> {
            if (!classes.contains(e.getValue().asText())) {
                errors.add(tree.errorAt(path + e.getKey(), "unknown class '" + e.getValue().asText()
                        + "'; overload.classes has " + classes));
            }
        });
    }

    /** Headers authentication sets and strips from what clients send: the consumer header and claim headers. */
    private Set<String> gatewaySetHeaders() {
        JsonNode security = tree.root().path("security");
        Set<String> out = new TreeSet<>();
        out.add(security.path("consumer_header").asText(SecurityConfig.DEFAULT_CONSUMER_HEADER)
                .toLowerCase(Locale.ROOT));
        security.path("jwt").forEach(p -> p.path("claims_to_headers").properties().forEach(
                e -> out.add(e.getValue().asText().toLowerCase(Locale.ROOT))));
        return out;
    }

    private void rateLimits(JsonNode limits, JsonNode redis) {
        JsonNode address = redis.path("address");
        if (address.isTextual()) {
            try {
                HostPort.parse(address.textValue(), 6379);
            } catch (IllegalArgumentException e) {
                errors.add(tree.errorAt("/redis/address", e.getMessage()));
            }
        }
        for (String field : List.of("timeout", "connect_timeout", "heartbeat")) {
            duration(redis.path(field), "/redis/" + field);
        }
        for (int i = 0; i < limits.size(); i++) {
            JsonNode l = limits.path(i);
            String path = SourceTree.child("/rate_limits", i);
            String name = l.path("name").textValue();
            if (name != null && !rateLimitNames.add(name)) {
                errors.add(tree.errorAt(path + "/name", "duplicate rate limit name '" + name + "'"));
            }
            duration(l.path("per"), path + "/per");
            duration(l.path("max_delay"), path + "/max_delay");
            boolean leaky = "leaky_bucket".equals(l.path("algorithm").asText());
            if (leaky && !l.has("max_delay")) {
                errors.add(tree.errorAt(path + "/algorithm", "a leaky bucket needs max_delay: how long a request may"
                        + " wait for its turn"));
            }
            if (!leaky && l.has("max_delay")) {
                errors.add(tree.errorAt(path + "/max_delay", "max_delay is for leaky_bucket; a token bucket refuses"
                        + " at once"));
            }
            boolean shared = l.path("shared").asBoolean(false);
            if (shared && !redis.isObject()) {
                errors.add(tree.errorAt(path + "/shared", "a shared limit needs redis: set the top-level redis"
                        + " section"));
            }
            if (!shared && l.path("batch").asInt(0) > 0) {
                errors.add(tree.errorAt(path + "/batch", "batch leases tokens from Redis: only for shared limits"));
            }
        }
    }

    private void authMethod(String method, String path) {
        if (method.equals("jwt")) {
            if (jwtNames.size() != 1) {
                errors.add(tree.errorAt(path, "'jwt' needs exactly one provider under security.jwt (there are "
                        + jwtNames.size() + "); name one as jwt:<name>"));
            }
        } else if (method.startsWith("jwt:")) {
            if (!jwtNames.contains(method.substring(4))) {
                errors.add(tree.errorAt(path, "unknown JWT provider '" + method.substring(4) + "'; define it under"
                        + " security.jwt"));
            }
        } else if (method.equals("api_key") && !apiKeys) {
            errors.add(tree.errorAt(path, "api_key needs security.api_keys"));
        }
    }

    private void validate(JsonNode v, String path) {
        if (!v.isObject()) {
            return;
        }
        Path schema = ConfigBinder.path(v.path("json_schema"), baseDir);
        if (schema != null) {
            try {
                BodySchema.fromFile(schema);
            } catch (BodySchemaException e) {
                errors.add(tree.errorAt(path + "/json_schema", e.getMessage()));
            }
        }
        v.path("query").properties().forEach(e -> {
            JsonNode pattern = e.getValue().path("pattern");
            if (pattern.isTextual()) {
                try {
                    Pattern.compile(pattern.textValue());
                } catch (PatternSyntaxException x) {
                    errors.add(tree.errorAt(path + "/query/" + e.getKey() + "/pattern", "invalid regex: "
                            + x.getDescription()));
                }
            }
        });
    }

    private void cors(JsonNode cors, String path) {
        if (!cors.isObject()) {
            return;
        }
        try {
            CorsPolicy.builder()
                    .allowedOrigins(ConfigBinder.strings(cors.path("origins")))
                    .allowedMethods(cors.has("methods") ? ConfigBinder.strings(cors.path("methods")) : List.of("GET"))
                    .allowedHeaders(ConfigBinder.strings(cors.path("headers")))
                    .exposedHeaders(ConfigBinder.strings(cors.path("expose_headers")))
                    .allowCredentials(cors.path("credentials").asBoolean(false))
                    .build();
        } catch (IllegalArgumentException e) {
            errors.add(tree.errorAt(path, e.getMessage()));
        }
    }

    /**
     * Every route reachable through a listener that requires authentication must have a way to authenticate
     * (unless public); a route that authorizes must authenticate on every listener.
     */
    private void crossCheck(JsonNode listeners, JsonNode routes) {
        for (int i = 0; i < listeners.size(); i++) {
            JsonNode l = listeners.path(i).path("security");
            boolean requireAuth = l.path("require_auth").asBoolean(false);
            boolean listenerAuth = l.path("auth").size() > 0;
            for (int j = 0; j < routes.size(); j++) {
                JsonNode r = routes.path(j).path("security");
                boolean isPublic = r.path("public").asBoolean(false);
                boolean auth = r.path("auth").size() > 0 || listenerAuth;
                if (requireAuth && !isPublic && !auth) {
                    errors.add(tree.errorAt(SourceTree.child("/listeners", i) + "/security/require_auth",
                            "listener '" + listeners.path(i).path("name").asText() + "' requires authentication but"
                                    + " route '" + routes.path(j).path("name").asText() + "' has no auth methods;"
                                    + " add security.auth to the route or the listener, or mark the route public"));
                }
                boolean authorize = r.has("authorize") || l.has("authorize");
                if (authorize && !isPublic && !auth) {
                    errors.add(tree.errorAt(SourceTree.child("/routes", j) + "/security", "route '"
                            + routes.path(j).path("name").asText() + "' authorizes but has no auth methods on"
                            + " listener '" + listeners.path(i).path("name").asText() + "'"));
                }
            }
        }
    }

    private void cidrs(JsonNode list, String path) {
        for (int i = 0; i < list.size(); i++) {
            if (list.path(i).isTextual()) {
                try {
                    Cidr.parse(list.path(i).textValue());
                } catch (IllegalArgumentException e) {
                    errors.add(tree.errorAt(SourceTree.child(path, i), e.getMessage()));
                }
            }
        }
    }

    private void duration(JsonNode value, String path) {
        if (value.isTextual()) {
            try {
                Durations.parse(value.textValue());
            } catch (IllegalArgumentException e) {
                errors.add(tree.errorAt(path, e.getMessage()));
            }
        }
    }
}
