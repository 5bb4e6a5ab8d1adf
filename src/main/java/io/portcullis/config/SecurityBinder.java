package io.portcullis.config;

import static io.portcullis.config.ConfigBinder.duration;
import static io.portcullis.config.ConfigBinder.list;
import static io.portcullis.config.ConfigBinder.path;
import static io.portcullis.config.ConfigBinder.size;
import static io.portcullis.config.ConfigBinder.strings;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The part of {@link ConfigBinder} that reads {@code security:} blocks: the top-level definitions and policies. */
final class SecurityBinder {
    static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);
    static final Duration DEFAULT_JWKS_REFRESH = Duration.ofMinutes(10);
    static final Duration DEFAULT_MIN_REFETCH = Duration.ofSeconds(30);
    static final Duration DEFAULT_FETCH_TIMEOUT = Duration.ofSeconds(5);
    static final Duration DEFAULT_FILE_RELOAD = Duration.ofSeconds(5);
    static final long DEFAULT_MAX_TOKEN = 8 * 1024;

    private SecurityBinder() {
    }

    static SecurityConfig security(JsonNode node, Path baseDir) {
        if (!node.isObject()) {
            return SecurityConfig.NONE;
        }
        JsonNode keys = node.path("api_keys");
        return new SecurityConfig(
                list(node.path("jwt"), n -> jwt(n, baseDir)),
                keys.isObject() ? new SecurityConfig.ApiKeys(
                        keys.path("header").asText("x-api-key").toLowerCase(Locale.ROOT),
                        keys.path("query_param").textValue(),
                        path(keys.path("file"), baseDir),
                        list(keys.path("consumers"), c -> new SecurityConfig.Consumer(c.path("name").textValue(),
                                strings(c.path("roles")), strings(c.path("keys")))),
                        duration(keys.path("reload_interval"), DEFAULT_FILE_RELOAD)) : null,
                list(node.path("client_certificates"), c -> new SecurityConfig.CertificateConsumer(
                        c.path("consumer").textValue(), strings(c.path("roles")), c.path("subject").textValue(),
                        c.path("dns").textValue(), c.path("uri").textValue(), sha256(c.path("sha256")))),
                list(node.path("ip_lists"), l -> new SecurityConfig.IpList(l.path("name").textValue(),
                        strings(l.path("allow")), strings(l.path("deny")), path(l.path("allow_file"), baseDir),
                        path(l.path("deny_file"), baseDir), duration(l.path("reload_interval"),
                                DEFAULT_FILE_RELOAD))),
                node.path("consumer_header").asText(SecurityConfig.DEFAULT_CONSUMER_HEADER).toLowerCase(Locale.ROOT));
    }

    /** Fingerprints are compared as lower-case hex without colons. */
    private static String sha256(JsonNode node) {
        return node.isTextual() ? node.textValue().replace(":", "").toLowerCase(Locale.ROOT) : null;
    }

    private static SecurityConfig.JwtProvider jwt(JsonNode n, Path baseDir) {
        List<Map.Entry<String, String>> claims = new ArrayList<>();
        n.path("claims_to_headers").properties().forEach(e -> claims.add(Map.entry(e.getKey(),
                e.getValue().textValue().toLowerCase(Locale.ROOT))));
        return new SecurityConfig.JwtProvider(
                n.path("name").textValue(),
                n.path("jwks_url").textValue(),
                path(n.path("jwks_file"), baseDir),
                n.path("hmac_secret").textValue(),
                n.path("issuer").textValue(),
                strings(n.path("audiences")),
                strings(n.path("algorithms")),
                duration(n.path("clock_skew"), DEFAULT_CLOCK_SKEW),
                strings(n.path("required_claims")),
                size(n.path("max_token_size"), DEFAULT_MAX_TOKEN),
                duration(n.path("refresh_interval"), DEFAULT_JWKS_REFRESH),
                duration(n.path("min_refetch_interval"), DEFAULT_MIN_REFETCH),
                duration(n.path("fetch_timeout"), DEFAULT_FETCH_TIMEOUT),
                claims,
                n.path("consumer_claim").asText("sub"),
                n.path("roles_claim").asText("roles"),
                n.path("scopes_claim").asText("scope"),
                n.path("strip_authorization").asBoolean(false));
    }

    static PolicyConfig policy(JsonNode node, Path baseDir) {
        if (!node.isObject()) {
            return PolicyConfig.NONE;
        }
        JsonNode ip = node.path("ip");
        JsonNode authorize = node.path("authorize");
        JsonNode validate = node.path("validate");
        JsonNode injection = node.path("injection");
        JsonNode cors = node.path("cors");
        JsonNode headers = node.path("response_headers");
        return new PolicyConfig(
                node.path("public").asBoolean(false),
                node.path("require_auth").asBoolean(false),
                ip.isObject() ? new PolicyConfig.IpRule(strings(ip.path("allow")), strings(ip.path("deny")),
                        strings(ip.path("lists"))) : null,
                strings(node.path("auth")),
                authorize.isObject() ? new PolicyConfig.Authorize(
                        strings(authorize.path("roles").path("any_of")),
                        strings(authorize.path("roles").path("all_of")),
                        strings(authorize.path("scopes").path("any_of")),
                        strings(authorize.path("scopes").path("all_of")),
                        strings(authorize.path("consumers"))) : null,
                validate.isObject() ? validate(validate, baseDir) : null,
                injection.isObject() ? new PolicyConfig.Injection(
                        PolicyConfig.Injection.Mode.valueOf(injection.path("mode").asText("block")
                                .toUpperCase(Locale.ROOT)),
                        list(injection.path("headers"), h -> h.textValue().toLowerCase(Locale.ROOT)),
                        size(injection.path("max_body"), 64 * 1024)) : null,
                cors.isObject() ? new PolicyConfig.Cors(
                        strings(cors.path("origins")),
                        cors.has("methods") ? list(cors.path("methods"), m -> m.textValue().toUpperCase(Locale.ROOT))
                                : List.of("GET", "HEAD", "POST"),
                        strings(cors.path("headers")),
                        strings(cors.path("expose_headers")),
                        cors.path("credentials").asBoolean(false),
                        duration(cors.path("max_age"), null)) : null,
                headers.isObject() || headers.isBoolean() ? securityHeaders(headers) : null,
                strings(node.path("rate_limits")),
                node.path("priority").textValue());
    }

    static OverloadConfig overload(JsonNode node) {
        if (!node.isObject()) {
            return null;
        }
        JsonNode header = node.path("header");
        return new OverloadConfig(
                node.has("classes") ? strings(node.path("classes")) : List.of("low", "normal", "high"),
                textMap(node.path("roles")),
                textMap(node.path("consumers")),
                header.isObject() ? new OverloadConfig.PriorityHeader(
                        header.path("name").textValue().toLowerCase(Locale.ROOT), textMap(header.path("values")))
                        : null,
                node.path("initial_limit").asInt(100),
                node.path("min_limit").asInt(10),
                node.path("max_limit").asInt(1000),
                node.path("max_queue_per_class").asInt(100),
                duration(node.path("max_queue_time"), Duration.ofSeconds(1)),
                duration(node.path("retry_after"), Duration.ofSeconds(1)));
    }

    private static Map<String, String> textMap(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        node.properties().forEach(e -> out.put(e.getKey(), e.getValue().textValue()));
        return out;
    }

    static RedisConfig redis(JsonNode node) {
        if (!node.isObject()) {
            return null;
        }
        HostPort address = HostPort.parse(node.path("address").asText("127.0.0.1:6379"), 6379);
        return new RedisConfig(address.host(), address.port(),
                duration(node.path("timeout"), Duration.ofMillis(5)),
                duration(node.path("connect_timeout"), Duration.ofSeconds(1)),
                duration(node.path("heartbeat"), Duration.ofSeconds(1)),
                node.path("key_prefix").asText("portcullis"));
    }

    static RateLimitConfig rateLimit(JsonNode n) {
        long rate = n.path("rate").asLong();
        return new RateLimitConfig(
                n.path("name").textValue(),
                n.has("key") ? strings(n.path("key")) : List.of("client_ip"),
                RateLimitConfig.Algorithm.valueOf(n.path("algorithm").asText("token_bucket").toUpperCase(Locale.ROOT)),
                rate,
                duration(n.path("per"), Duration.ofSeconds(1)),
                n.path("burst").asLong(rate),
                duration(n.path("max_delay"), Duration.ZERO),
                n.path("shared").asBoolean(false),
                n.path("batch").asInt(0),
                RateLimitConfig.Failure.valueOf(n.path("on_timeout").asText("fail_open").toUpperCase(Locale.ROOT)),
                list(n.path("tiers"), t -> new RateLimitConfig.Tier(t.path("role").textValue(),
                        t.path("rate").asLong(), t.path("burst").asLong(t.path("rate").asLong()))));
    }

    private static PolicyConfig.SecurityHeaders securityHeaders(JsonNode node) {
        if (node.isBoolean()) {
            return node.booleanValue() ? new PolicyConfig.SecurityHeaders(true, List.of()) : null;
        }
        List<Map.Entry<String, String>> extra = new ArrayList<>();
        node.path("set").properties().forEach(e -> extra.add(Map.entry(e.getKey().toLowerCase(Locale.ROOT),
                e.getValue().asText())));
        return new PolicyConfig.SecurityHeaders(node.path("defaults").asBoolean(true), extra);
    }

    private static PolicyConfig.Validate validate(JsonNode node, Path baseDir) {
        Map<String, PolicyConfig.QueryParam> query = new LinkedHashMap<>();
        node.path("query").properties().forEach(e -> {
            JsonNode q = e.getValue();
            query.put(e.getKey(), new PolicyConfig.QueryParam(
                    q.path("required").asBoolean(false),
                    q.path("type").asText("string"),
                    q.path("max_length").asInt(0),
                    q.path("pattern").textValue(),
                    list(q.path("values"), JsonNode::asText),
                    q.path("repeated").asBoolean(false)));
        });
        return new PolicyConfig.Validate(
                list(node.path("methods"), m -> m.textValue().toUpperCase(Locale.ROOT)),
                strings(node.path("content_types")),
                path(node.path("json_schema"), baseDir),
                node.path("max_json_depth").asInt(node.has("json_schema") || node.has("max_json_size")
                        ? PolicyConfig.Validate.DEFAULT_MAX_DEPTH : 0),
                size(node.path("max_json_size"), PolicyConfig.Validate.DEFAULT_MAX_JSON),
                query,
                node.path("allow_unknown_query").asBoolean(true));
    }
}
