package io.portcullis.config;

import static io.portcullis.config.ConfigBinder.duration;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.ratelimit.anomaly.ActionType;
import io.portcullis.ratelimit.anomaly.AnomalyRules;
import io.portcullis.ratelimit.anomaly.CredentialStuffingRule;
import io.portcullis.ratelimit.anomaly.ErrorSpikeRule;
import io.portcullis.ratelimit.anomaly.FloodRule;
import io.portcullis.ratelimit.anomaly.PathScanningRule;
import io.portcullis.ratelimit.anomaly.RuleResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code anomaly_detection:} into the detector's {@link AnomalyRules}: every field of a rule falls back to
 * that rule's default, so a config names only what it changes ({@code path_scanning: {action: shadow}}). The rule
 * records check their own ranges; {@link #check} turns their complaints into errors at the rule's line. What the
 * schema refuses (an unknown action, a malformed duration) reads as the default here, so it is reported once.
 */
final class AnomalyBinder {
    private static final Pattern CAMEL = Pattern.compile("\\b([a-z]+)((?:[A-Z][a-z]*)+)\\b");
    private static final Pattern HUMP = Pattern.compile("([A-Z])");

    private AnomalyBinder() {
    }

    /** The rules, or null when the section is absent or {@code enabled: false}. */
    static AnomalyRules rules(JsonNode node) {
        if (!node.isObject() || !node.path("enabled").asBoolean(true)) {
            return null;
        }
        AnomalyRules d = AnomalyRules.DEFAULT;
        return new AnomalyRules(
                flood(node.path("client_ip_flood"), d.clientIpFlood()),
                flood(node.path("consumer_flood"), d.consumerFlood()),
                stuffing(node.path("credential_stuffing"), d.credentialStuffing()),
                scanning(node.path("path_scanning"), d.pathScanning()),
                errorSpike(node.path("route_error_spike"), d.routeErrorSpike()));
    }

    /** Reports each rule the detector would refuse, at the rule, in the config's own field names. */
    static void check(JsonNode node, SourceTree tree, List<ConfigError> errors) {
        if (!node.isObject()) {
            return;
        }
        AnomalyRules d = AnomalyRules.DEFAULT;
        check(node, "client_ip_flood", d.clientIpFlood(), AnomalyBinder::flood, tree, errors);
        check(node, "consumer_flood", d.consumerFlood(), AnomalyBinder::flood, tree, errors);
        check(node, "credential_stuffing", d.credentialStuffing(), AnomalyBinder::stuffing, tree, errors);
        check(node, "path_scanning", d.pathScanning(), AnomalyBinder::scanning, tree, errors);
        check(node, "route_error_spike", d.routeErrorSpike(), AnomalyBinder::errorSpike, tree, errors);
    }

    private static <R> void check(JsonNode node, String rule, R defaults, BiFunction<JsonNode, R, R> bind,
            SourceTree tree, List<ConfigError> errors) {
        if (!node.has(rule)) {
            return;
        }
        try {
            bind.apply(node.path(rule), defaults);
        } catch (IllegalArgumentException e) {
            // The records' messages start with the field they refuse: point at it when the config sets it.
            String message = snakeCase(e.getMessage());
            String field = message.split(" ", 2)[0];
            String path = "/anomaly_detection/" + rule + (node.path(rule).has(field) ? "/" + field : "");
            errors.add(tree.errorAt(path, rule + "." + message));
        }
    }

    private static FloodRule flood(JsonNode n, FloodRule d) {
        return new FloodRule(n.path("enabled").asBoolean(d.enabled()),
                n.path("floor_per_second").asDouble(d.floorPerSecond()),
                n.path("factor").asDouble(d.factor()),
                n.path("bad_seconds").asInt(d.badSeconds()),
                n.path("of_seconds").asInt(d.ofSeconds()),
                time(n.path("baseline_time_constant"), d.baselineTimeConstant()),
                response(n, d.response()));
    }

    private static CredentialStuffingRule stuffing(JsonNode n, CredentialStuffingRule d) {
        return new CredentialStuffingRule(n.path("enabled").asBoolean(d.enabled()),
                n.path("window_seconds").asInt(d.windowSeconds()),
                n.path("min_failures").asInt(d.minFailures()),
                n.path("min_share").asDouble(d.minShare()),
                response(n, d.response()));
    }

    private static PathScanningRule scanning(JsonNode n, PathScanningRule d) {
        return new PathScanningRule(n.path("enabled").asBoolean(d.enabled()),
                n.path("window_seconds").asInt(d.windowSeconds()),
                n.path("min_not_found").asInt(d.minNotFound()),
                n.path("min_distinct_paths").asInt(d.minDistinctPaths()),
                n.path("min_share").asDouble(d.minShare()),
                response(n, d.response()));
    }

    private static ErrorSpikeRule errorSpike(JsonNode n, ErrorSpikeRule d) {
        return new ErrorSpikeRule(n.path("enabled").asBoolean(d.enabled()),
                n.path("min_requests_per_second").asInt(d.minRequestsPerSecond()),
                n.path("min_share").asDouble(d.minShare()),
                n.path("factor").asDouble(d.factor()),
                n.path("bad_seconds").asInt(d.badSeconds()),
                n.path("of_seconds").asInt(d.ofSeconds()),
                time(n.path("baseline_time_constant"), d.baselineTimeConstant()),
                response(n, d.response()));
    }

    /** {@code action}, {@code duration} and {@code throttle_floor_per_second} sit in the rule itself. */
    private static RuleResponse response(JsonNode n, RuleResponse d) {
        ActionType action = d.action();
        for (ActionType a : ActionType.values()) {
            if (a.name().equalsIgnoreCase(n.path("action").asText())) {
                action = a;
            }
        }
        return new RuleResponse(action, time(n.path("duration"), d.duration()),
                n.path("throttle_floor_per_second").asDouble(d.throttleFloorPerSecond()));
    }

    private static Duration time(JsonNode node, Duration fallback) {
        try {
            return duration(node, fallback);
        } catch (IllegalArgumentException e) {
            return fallback; // the schema's error
        }
    }

    /** The rule records name their fields in Java ({@code floorPerSecond}); the config says {@code floor_per_second}. */
    static String snakeCase(String message) {
        Matcher m = CAMEL.matcher(message);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String tail = HUMP.matcher(m.group(2)).replaceAll("_$1").toLowerCase(Locale.ROOT);
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + tail));
        }
        return m.appendTail(out).toString();
    }
}
