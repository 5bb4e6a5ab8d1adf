package io.portcullis.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.tls.TlsDefaults;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.function.Function;

/**
 * Turns a validated configuration tree into the immutable {@link GatewayConfig} records, filling in defaults.
 *
 * <p>Last stage of {@link ConfigLoader}; it only runs when the schema and {@link SemanticValidator} found nothing,
 * so it reads the tree without defensive checks. Snake_case keys map to the records' camelCase components.
 */
final class ConfigBinder {

    private ConfigBinder() {
    }

    /** @param baseDir relative certificate and key paths are resolved against it (the config file's folder) */
    static GatewayConfig bind(JsonNode root, Path baseDir) {
        JsonNode server = root.path("server");
        JsonNode accessLog = root.path("access_log");
        GatewayConfig.ServerConfig serverDefaults = GatewayConfig.ServerConfig.DEFAULT;
        GatewayConfig.AccessLogConfig logDefaults = GatewayConfig.AccessLogConfig.DEFAULT;
        return new GatewayConfig(
                new GatewayConfig.ServerConfig(
                        server.path("event_loops").asInt(serverDefaults.eventLoops()),
                        duration(server.path("drain_timeout"), serverDefaults.drainTimeout())),
                new GatewayConfig.AccessLogConfig(
                        accessLog.path("enabled").asBoolean(logDefaults.enabled()),
                        accessLog.path("path").asText(logDefaults.path())),
                admin(root.path("admin")),
                list(root.path("listeners"), n -> listener(n, baseDir)),
                list(root.path("routes"), n -> route(n, baseDir)),
                list(root.path("clusters"), n -> cluster(n, baseDir)),
                SecurityBinder.security(root.path("security"), baseDir),
                SecurityBinder.redis(root.path("redis")),
                list(root.path("rate_limits"), SecurityBinder::rateLimit),
                AnomalyBinder.rules(root.path("anomaly_detection")),
                SecurityBinder.overload(root.path("overload")));
    }

    private static ListenerConfig listener(JsonNode node, Path baseDir) {
        HostPort address = HostPort.parse(node.path("address").textValue(), 0);
        JsonNode limits = node.path("limits");
        ListenerConfig.Limits defaults = ListenerConfig.Limits.DEFAULT;
        return new ListenerConfig(
                node.path("name").textValue(),
                address.host(),
                address.port(),
                new ListenerConfig.Limits(
                        (int) size(limits.path("max_request_line"), defaults.maxRequestLine()),
                        (int) size(limits.path("max_header_size"), defaults.maxHeaderSize()),
                        (int) size(limits.path("max_header_field"), defaults.maxHeaderField()),
                        size(limits.path("max_body_size"), defaults.maxBodySize())),
                duration(node.path("header_read_timeout"), ListenerConfig.DEFAULT_HEADER_READ_TIMEOUT),
                duration(node.path("idle_timeout"), ListenerConfig.DEFAULT_IDLE_TIMEOUT),
                node.path("tls").isObject() ? tls(node.path("tls"), baseDir) : null,
                http2(node.path("http2")),
                node.path("redirect_https").isObject()
                        ? new ListenerConfig.RedirectHttps(node.path("redirect_https").path("port").asInt(443))
                        : null,
                strings(node.path("trusted_proxies")),
                SecurityBinder.policy(node.path("security"), baseDir),
                connections(node.path("connections")));
    }

    private static ListenerConfig.Connections connections(JsonNode node) {
        if (!node.isObject()) {
            return null;
        }
        double rate = node.path("new_per_second").asDouble(0);
        return new ListenerConfig.Connections(
                node.path("max").asInt(0),
                node.path("max_per_client").asInt(0),
                rate,
                node.path("new_burst").asInt((int) Math.max(1, Math.ceil(rate))),
                node.path("max_requests").asInt(0));
    }

    private static ListenerConfig.Tls tls(JsonNode node, Path baseDir) {
        JsonNode hsts = node.path("hsts");
        JsonNode header = node.path("client_cert_header");
        return new ListenerConfig.Tls(
                list(node.path("certificates"), c -> new ListenerConfig.Certificate(
                        path(c.path("cert"), baseDir), path(c.path("key"), baseDir))),
                node.has("protocols") ? strings(node.path("protocols")) : TlsDefaults.PROTOCOLS,
                node.has("ciphers") ? strings(node.path("ciphers")) : TlsDefaults.INTERMEDIATE_CIPHERS,
                node.path("client_auth").isTextual()
                        ? ListenerConfig.ClientAuth.valueOf(node.path("client_auth").textValue()
                                .toUpperCase(Locale.ROOT))
                        : ListenerConfig.ClientAuth.NONE,
                path(node.path("client_ca"), baseDir),
                header.isTextual() ? header.textValue().toLowerCase(Locale.ROOT) : null,
                hsts.isObject() ? new ListenerConfig.Hsts(
                        duration(hsts.path("max_age"), Duration.ofDays(365)),
                        hsts.path("include_subdomains").asBoolean(false),
                        hsts.path("preload").asBoolean(false)) : null,
                duration(node.path("reload_interval"), ListenerConfig.Tls.DEFAULT_RELOAD_INTERVAL));
    }

    private static ListenerConfig.Http2 http2(JsonNode node) {
        ListenerConfig.Http2 d = ListenerConfig.Http2.DEFAULT;
        return new ListenerConfig.Http2(
                node.path("enabled").asBoolean(d.enabled()),
                node.path("h2c").asBoolean(d.h2c()),
                node.path("max_concurrent_streams").asInt(d.maxConcurrentStreams()),
                (int) size(node.path("initial_window_size"), d.initialWindowSize()),
                node.path("max_resets").asInt(d.maxResets()),
                duration(node.path("reset_window"), d.resetWindow()),
                node.path("max_queued_control_frames").asInt(d.maxQueuedControlFrames()));
    }

    private static ClusterConfig.Transport transport(JsonNode node, Path baseDir) {
        JsonNode protocol = node.path("protocol");
        JsonNode tls = node.path("tls");
        return new ClusterConfig.Transport(
                protocol.isTextual() ? ClusterConfig.Protocol.valueOf(protocol.textValue().toUpperCase(Locale.ROOT))
                        : ClusterConfig.Protocol.HTTP1,
                node.path("max_streams_per_connection").asInt(ClusterConfig.Transport.DEFAULT_MAX_STREAMS),
                tls.isObject() ? new ClusterConfig.UpstreamTls(
                        path(tls.path("ca"), baseDir),
                        tls.path("server_name").textValue(),
                        tls.path("verify_hostname").asBoolean(true),
                        path(tls.path("cert"), baseDir),
                        path(tls.path("key"), baseDir)) : null);
    }

    /** A file named in the config: relative names are resolved against the config file's folder. */
    static Path path(JsonNode node, Path baseDir) {
        return node.isTextual() ? baseDir.resolve(node.textValue()).normalize() : null;
    }

    static List<String> strings(JsonNode array) {
        return list(array, JsonNode::textValue);
    }

    private static RouteConfig route(JsonNode node, Path baseDir) {
        JsonNode rewrite = node.path("rewrite");
        JsonNode maxBody = node.path("max_body_size");
        return new RouteConfig(
                node.path("name").textValue(),
                match(node.path("match")),
                node.path("cluster").textValue(),
                rewrite.isObject()
                        ? new RouteConfig.Rewrite(rewrite.path("prefix").textValue(), rewrite.path("host").textValue())
                        : RouteConfig.Rewrite.NONE,
                duration(node.path("timeout"), null),
                maxBody.isMissingNode() ? null : size(maxBody, 0),
                hashKey(node.path("hash_key")),
                duration(node.path("total_timeout"), null),
                node.path("retry").isObject() ? retry(node.path("retry")) : null,
                node.path("circuit_breaker").isObject() ? breaker(node.path("circuit_breaker")) : null,
                node.path("fallback").isObject() ? fallback(node.path("fallback")) : null,
                list(node.path("filters"), ConfigBinder::filter),
                duration(node.path("connect_timeout"), null),
                duration(node.path("idle_timeout"), null),
                duration(node.path("drain_timeout"), null),
                SecurityBinder.policy(node.path("security"), baseDir));
    }

    /** One filter: an object with a single key naming its kind (the schema has checked the shape). */
    private static FilterConfig filter(JsonNode node) {
        JsonNode fault = node.path("fault");
        return new FilterConfig.Fault(
                duration(fault.path("delay"), Duration.ZERO),
                fault.path("delay_percent").asDouble(100),
                fault.path("abort").asInt(0),
                fault.path("abort_percent").asDouble(100),
                fault.path("header").textValue());
    }

    private static GatewayConfig.AdminConfig admin(JsonNode node) {
        if (!node.isObject()) {
            return GatewayConfig.AdminConfig.DISABLED;
        }
        JsonNode address = node.path("address");
        HostPort hostPort = address.isTextual() ? HostPort.parse(address.textValue(), 0)
                : new HostPort(GatewayConfig.AdminConfig.DEFAULT_HOST, GatewayConfig.AdminConfig.DEFAULT_PORT);
        return new GatewayConfig.AdminConfig(node.path("enabled").asBoolean(true), hostPort.host(), hostPort.port());
    }

    private static RouteConfig.HashKey hashKey(JsonNode node) {
        if (!node.isObject()) {
            return null;
        }
        String field = node.fieldNames().next();
        return switch (field) {
            case "header" -> new RouteConfig.HashKey(RouteConfig.HashKey.Source.HEADER, node.path(field).textValue());
            case "cookie" -> new RouteConfig.HashKey(RouteConfig.HashKey.Source.COOKIE, node.path(field).textValue());
            case "query_param" -> new RouteConfig.HashKey(RouteConfig.HashKey.Source.QUERY_PARAM,
                    node.path(field).textValue());
            case "client_address" -> new RouteConfig.HashKey(RouteConfig.HashKey.Source.CLIENT_ADDRESS, null);
            case "path" -> new RouteConfig.HashKey(RouteConfig.HashKey.Source.PATH, null);
            default -> throw new IllegalStateException("schema admitted hash_key source " + field);
        };
    }

    private static RouteConfig.Match match(JsonNode node) {
        List<String> hosts = node.has("host")
                ? List.of(node.path("host").textValue())
                : list(node.path("hosts"), JsonNode::textValue);
        return new RouteConfig.Match(
                hosts,
                node.path("path").textValue(),
                node.path("path_prefix").textValue(),
                node.path("path_regex").textValue(),
                list(node.path("methods"), m -> m.textValue().toUpperCase(Locale.ROOT)),
                list(node.path("headers"), h -> new RouteConfig.HeaderMatch(
                        h.path("name").textValue(),
                        h.path("exact").textValue(),
                        h.path("regex").textValue(),
                        h.has("present") ? h.path("present").booleanValue() : null)));
    }

    private static ClusterConfig cluster(JsonNode node, Path baseDir) {
        JsonNode pool = node.path("pool");
        ClusterConfig.Pool defaults = ClusterConfig.Pool.DEFAULT;
        JsonNode policy = node.path("lb_policy");
        JsonNode panic = node.path("panic_threshold");
        return new ClusterConfig(
                node.path("name").textValue(),
                list(node.path("endpoints"), ConfigBinder::endpoint),
                policy.isTextual() ? ClusterConfig.LbPolicy.valueOf(policy.textValue().toUpperCase(Locale.ROOT))
                        : ClusterConfig.LbPolicy.ROUND_ROBIN,
                duration(node.path("connect_timeout"), ClusterConfig.DEFAULT_CONNECT_TIMEOUT),
                new ClusterConfig.Pool(
                        pool.path("max_connections").asInt(defaults.maxConnections()),
                        pool.path("max_idle").asInt(defaults.maxIdle()),
                        duration(pool.path("idle_timeout"), defaults.idleTimeout())),
                healthCheck(node.path("health_check")),
                panic.isNumber() ? panic.doubleValue() : ClusterConfig.DEFAULT_PANIC_THRESHOLD,
                node.path("optional").asBoolean(false),
                duration(node.path("dns_refresh"), ClusterConfig.DEFAULT_DNS_REFRESH),
                node.path("hash_balance_factor").asInt(0),
                resilience(node),
                transport(node, baseDir));
    }

    private static ResilienceConfig resilience(JsonNode cluster) {
        JsonNode timeouts = cluster.path("timeouts");
        JsonNode limits = cluster.path("limits");
        JsonNode retry = cluster.path("retry");
        return new ResilienceConfig(
                duration(timeouts.path("per_try"), null),
                duration(timeouts.path("total"), null),
                retry.isObject() ? retry(retry) : ResilienceConfig.Retry.NONE,
                limits.path("max_requests").asInt(ResilienceConfig.DEFAULT_MAX_REQUESTS),
                limits.path("max_pending").asInt(ResilienceConfig.DEFAULT_MAX_PENDING),
                cluster.path("failover").textValue(),
                cluster.path("outlier_detection").isObject() ? outlier(cluster.path("outlier_detection")) : null,
                cluster.path("circuit_breaker").isObject() ? breaker(cluster.path("circuit_breaker")) : null,
                duration(timeouts.path("idle"), null),
                duration(timeouts.path("drain"), null));
    }

    private static ResilienceConfig.Breaker breaker(JsonNode node) {
        return new ResilienceConfig.Breaker(
                node.path("failure_rate").asDouble(50),
                node.path("slow_call_rate").asDouble(100),
                duration(node.path("slow_call_duration"), Duration.ofSeconds(5)),
                node.path("minimum_calls").asInt(20),
                duration(node.path("window"), Duration.ofSeconds(10)),
                duration(node.path("open_duration"), Duration.ofSeconds(30)),
                node.path("half_open_calls").asInt(3));
    }

    private static RouteConfig.Fallback fallback(JsonNode node) {
        JsonNode st = node.path("static");
        JsonNode cache = node.path("cache");
        RouteConfig.Fallback.StaticResponse staticResponse = null;
        if (st.isObject()) {
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            st.path("headers").properties().forEach(e -> headers.add(Map.entry(e.getKey(),
                    e.getValue().asText())));
            staticResponse = new RouteConfig.Fallback.StaticResponse(st.path("status").asInt(200), headers,
                    st.path("body").asText(""));
        }
        return new RouteConfig.Fallback(
                staticResponse,
                cache.isObject() ? new RouteConfig.Fallback.Cache(
                        duration(cache.path("ttl"), Duration.ofMinutes(5)),
                        size(cache.path("max_bytes"), 16L << 20),
                        (int) size(cache.path("max_entry"), 1L << 20),
                        list(cache.path("vary"), JsonNode::textValue)) : null,
                node.path("cluster").textValue());
    }

    private static ResilienceConfig.Outlier outlier(JsonNode node) {
        return new ResilienceConfig.Outlier(
                node.path("consecutive_5xx").asInt(5),
                node.path("consecutive_gateway_failures").asInt(5),
                duration(node.path("interval"), Duration.ofSeconds(10)),
                duration(node.path("base_ejection_time"), Duration.ofSeconds(30)),
                duration(node.path("max_ejection_time"), Duration.ofSeconds(300)),
                node.path("max_ejection_percent").asInt(10),
                node.path("success_rate_stdev_factor").asDouble(1.9),
                node.path("success_rate_minimum_hosts").asInt(5),
                node.path("success_rate_request_volume").asInt(100));
    }

    private static ResilienceConfig.Retry retry(JsonNode node) {
        JsonNode on = node.path("on");
        List<String> conditions = on.isArray() ? list(on, JsonNode::textValue)
                : List.of("connect_failure", "reset", "timeout");
        JsonNode statuses = node.path("statuses");
        JsonNode backoff = node.path("backoff");
        JsonNode budget = node.path("budget");
        ResilienceConfig.Retry none = ResilienceConfig.Retry.NONE;
        return new ResilienceConfig.Retry(
                node.path("max_retries").asInt(2),
                conditions.contains("connect_failure"),
                conditions.contains("reset"),
                conditions.contains("timeout"),
                statuses.isArray() ? list(statuses, JsonNode::intValue) : ResilienceConfig.Retry.DEFAULT_STATUSES,
                duration(backoff.path("base"), none.backoffBase()),
                duration(backoff.path("max"), none.backoffMax()),
                budget.path("percent").asDouble(none.budgetPercent()),
                budget.path("min_retries").asInt(none.budgetMinRetries()),
                node.path("non_idempotent").asBoolean(false),
                size(node.path("max_body"), 64 * 1024));
    }

    private static ClusterConfig.Endpoint endpoint(JsonNode node) {
        if (node.isTextual()) {
            HostPort hostPort = HostPort.parse(node.textValue(), 1);
            return new ClusterConfig.Endpoint(hostPort.host(), hostPort.port());
        }
        HostPort hostPort = HostPort.parse(node.path("address").textValue(), 1);
        return new ClusterConfig.Endpoint(hostPort.host(), hostPort.port(), node.path("weight").asInt(1),
                node.path("priority").asInt(0));
    }

    private static ClusterConfig.HealthCheck healthCheck(JsonNode node) {
        if (!node.isObject()) {
            return ClusterConfig.HealthCheck.NONE;
        }
        ClusterConfig.HealthCheck defaults = ClusterConfig.HealthCheck.NONE;
        JsonNode http = node.path("http");
        ClusterConfig.Http httpCheck = null;
        if (http.isObject()) {
            JsonNode statuses = http.path("expected_statuses");
            httpCheck = new ClusterConfig.Http(
                    http.path("path").textValue(),
                    http.path("host").textValue(),
                    statuses.isArray() ? list(statuses, ConfigBinder::statusRange)
                            : List.of(ClusterConfig.StatusRange.SUCCESS));
        }
        return new ClusterConfig.HealthCheck(
                true,
                httpCheck,
                duration(node.path("interval"), defaults.interval()),
                duration(node.path("jitter"), defaults.jitter()),
                duration(node.path("timeout"), defaults.timeout()),
                node.path("healthy_threshold").asInt(defaults.healthyThreshold()),
                node.path("unhealthy_threshold").asInt(defaults.unhealthyThreshold()));
    }

    /** {@code 200} or {@code "200-299"} (the schema has checked the shape). */
    static ClusterConfig.StatusRange statusRange(JsonNode node) {
        if (node.isInt()) {
            return new ClusterConfig.StatusRange(node.intValue(), node.intValue());
        }
        String text = node.textValue();
        int dash = text.indexOf('-');
        return new ClusterConfig.StatusRange(Integer.parseInt(text.substring(0, dash)),
                Integer.parseInt(text.substring(dash + 1)));
    }

    static Duration duration(JsonNode node, Duration fallback) {
        if (node.isMissingNode()) {
            return fallback;
        }
        return node.isTextual() ? Durations.parse(node.textValue()) : Durations.ofMillis(node.longValue());
    }

    static long size(JsonNode node, long fallback) {
        if (node.isMissingNode()) {
            return fallback;
        }
        return node.isTextual() ? Sizes.parse(node.textValue()) : node.longValue();
    }

    static <T> List<T> list(JsonNode array, Function<JsonNode, T> element) {
        List<T> out = new ArrayList<>(array.size());
        array.forEach(node -> out.add(element.apply(node)));
        return out;
    }
}
