package io.portcullis.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

    static GatewayConfig bind(JsonNode root) {
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
                GatewayConfig.AdminConfig.DISABLED,
                list(root.path("listeners"), ConfigBinder::listener),
                list(root.path("routes"), ConfigBinder::route),
                list(root.path("clusters"), ConfigBinder::cluster));
    }

    private static ListenerConfig listener(JsonNode node) {
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
                duration(node.path("idle_timeout"), ListenerConfig.DEFAULT_IDLE_TIMEOUT));
    }

    private static RouteConfig route(JsonNode node) {
        JsonNode rewrite = node.path("rewrite");
        JsonNode maxBody = node.path("max_body_size");
        return new RouteConfig(
                node.path("name").textValue(),
                match(node.path("match")),
                node.path("cluster").textValue(),
                rewrite.isObject()
                        ? new RouteConfig.Rewrite(rewrite.path("prefix").textValue(), rewrite.path("host").textValue())
                        : RouteConfig.Rewrite.NONE,
                duration(node.path("timeout"), RouteConfig.DEFAULT_TIMEOUT),
                maxBody.isMissingNode() ? null : size(maxBody, 0));
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

    private static ClusterConfig cluster(JsonNode node) {
        JsonNode pool = node.path("pool");
        ClusterConfig.Pool defaults = ClusterConfig.Pool.DEFAULT;
        return new ClusterConfig(
                node.path("name").textValue(),
                list(node.path("endpoints"), e -> {
                    HostPort hostPort = HostPort.parse(e.textValue(), 1);
                    return new ClusterConfig.Endpoint(hostPort.host(), hostPort.port());
                }),
                ClusterConfig.LbPolicy.ROUND_ROBIN,
                duration(node.path("connect_timeout"), ClusterConfig.DEFAULT_CONNECT_TIMEOUT),
                pool.isObject()
                        ? new ClusterConfig.Pool(defaults.maxConnections(),
                                pool.path("max_idle").asInt(defaults.maxIdle()),
                                duration(pool.path("idle_timeout"), defaults.idleTimeout()))
                        : defaults,
                ClusterConfig.HealthCheck.NONE,
                ClusterConfig.DEFAULT_PANIC_THRESHOLD,
                false,
                ClusterConfig.DEFAULT_DNS_REFRESH);
    }

    private static Duration duration(JsonNode node, Duration fallback) {
        if (node.isMissingNode()) {
            return fallback;
        }
        return node.isTextual() ? Durations.parse(node.textValue()) : Durations.ofMillis(node.longValue());
    }

    private static long size(JsonNode node, long fallback) {
        if (node.isMissingNode()) {
            return fallback;
        }
        return node.isTextual() ? Sizes.parse(node.textValue()) : node.longValue();
    }

    private static <T> List<T> list(JsonNode array, Function<JsonNode, T> element) {
        List<T> out = new ArrayList<>(array.size());
        array.forEach(node -> out.add(element.apply(node)));
        return out;
    }
}
