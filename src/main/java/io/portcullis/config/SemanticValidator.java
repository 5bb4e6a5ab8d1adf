package io.portcullis.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.tls.CertificateBundle;
import io.portcullis.tls.ClientContexts;
import io.portcullis.tls.SniContexts;
import io.portcullis.tls.TlsConfigException;
import io.portcullis.tls.TlsDefaults;
import io.portcullis.tls.TlsProvider;
import io.portcullis.tls.TrustBundle;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks what the schema cannot: unique names, references between sections, address syntax, and the values of
 * durations and sizes. Route matches are delegated to {@link MatchValidator}.
 *
 * <p>Fourth stage of {@link ConfigLoader}. It runs even when the schema found errors, so a file's mistakes are all
 * reported together; every check therefore reads the tree defensively and skips nodes of the wrong type (the schema
 * has already reported those).
 */
final class SemanticValidator {

    private final SourceTree tree;
    private final List<ConfigError> errors;
    private final Path baseDir;

    private SemanticValidator(SourceTree tree, List<ConfigError> errors, Path baseDir) {
        this.tree = tree;
        this.errors = errors;
        this.baseDir = baseDir;
    }

    /**
     * Adds every semantic problem in {@code tree} to {@code errors}.
     *
     * @param baseDir relative certificate and key files are read from here
     */
    static void validate(SourceTree tree, List<ConfigError> errors, Path baseDir) {
        new SemanticValidator(tree, errors, baseDir).validate();
    }

    private void validate() {
        JsonNode root = tree.root();
        duration(root.path("server").path("drain_timeout"), "/server/drain_timeout");
        listeners(root.path("listeners"));
        admin(root.path("admin"));
        Map<String, String> clusters = clusters(root.path("clusters"));
        routes(root.path("routes"), clusters, root.path("clusters"));
        SecurityValidator.validate(tree, errors, baseDir);
    }

    private void admin(JsonNode admin) {
        JsonNode address = admin.path("address");
        if (address.isTextual()) {
            try {
                HostPort.parse(address.textValue(), 0);
            } catch (IllegalArgumentException e) {
                errors.add(tree.errorAt("/admin/address", e.getMessage()));
            }
        }
    }

    private void listeners(JsonNode listeners) {
        Map<String, String> names = new HashMap<>();
        Map<String, String> addresses = new HashMap<>();
        for (int i = 0; i < listeners.size(); i++) {
            String path = SourceTree.child("/listeners", i);
            JsonNode listener = listeners.path(i);
            unique(listener.path("name"), path + "/name", "listener", names);
            JsonNode address = listener.path("address");
            if (address.isTextual()) {
                try {
                    HostPort hostPort = HostPort.parse(address.textValue(), 0);
                    String key = hostPort.host().toLowerCase(Locale.ROOT) + ":" + hostPort.port();
                    String first = hostPort.port() == 0 ? null : addresses.putIfAbsent(key, path + "/address");
                    if (first != null) {
                        errors.add(tree.errorAt(path + "/address", "duplicate listener address '"
                                + address.textValue() + "'; already used at line " + tree.lineOf(first)));
                    }
                } catch (IllegalArgumentException e) {
                    errors.add(tree.errorAt(path + "/address", e.getMessage()));
                }
            }
            duration(listener.path("header_read_timeout"), path + "/header_read_timeout");
            duration(listener.path("idle_timeout"), path + "/idle_timeout");
            JsonNode limits = listener.path("limits");
            for (String field : List.of("max_request_line", "max_header_size", "max_header_field")) {
                size(limits.path(field), path + "/limits/" + field, Integer.MAX_VALUE);
            }
            size(limits.path("max_body_size"), path + "/limits/max_body_size", Long.MAX_VALUE);
            listenerTls(listener.path("tls"), path + "/tls");
            JsonNode http2 = listener.path("http2");
            size(http2.path("initial_window_size"), path + "/http2/initial_window_size", Integer.MAX_VALUE);
            positiveDuration(http2.path("reset_window"), path + "/http2/reset_window");
            if (listener.has("redirect_https") && listener.has("tls")) {
                errors.add(tree.errorAt(path + "/redirect_https", "a listener that redirects to HTTPS is the plain"
                        + " HTTP one; remove tls here or redirect_https"));
            }
            if (http2.path("h2c").asBoolean(false) && listener.has("tls")) {
                errors.add(tree.errorAt(path + "/http2/h2c", "h2c is cleartext HTTP/2; a TLS listener offers h2"
                        + " by ALPN (http2.enabled)"));
            }
        }
    }

    /**
     * Reads every certificate, key and CA file of a listener and builds its TLS contexts once, so a file that is
     * missing, malformed, expired or does not match its key is reported at the line that names it.
     */
    private void listenerTls(JsonNode tls, String path) {
        if (!tls.isObject()) {
            return;
        }
        positiveDuration(tls.path("reload_interval"), path + "/reload_interval");
        positiveDuration(tls.path("hsts").path("max_age"), path + "/hsts/max_age");
        JsonNode certificates = tls.path("certificates");
        List<CertificateBundle> bundles = new ArrayList<>();
        Map<Path, String> fileAt = new HashMap<>();
        boolean complete = certificates.isArray() && !certificates.isEmpty();
        for (int j = 0; j < certificates.size(); j++) {
            String at = SourceTree.child(path + "/certificates", j);
            Path cert = ConfigBinder.path(certificates.path(j).path("cert"), baseDir);
            Path key = ConfigBinder.path(certificates.path(j).path("key"), baseDir);
            if (cert == null || key == null) {
                complete = false;
                continue;
            }
            fileAt.putIfAbsent(cert, at + "/cert");
            fileAt.putIfAbsent(key, at + "/key");
            try {
                bundles.add(CertificateBundle.load(cert, key, Clock.systemUTC()));
            } catch (TlsConfigException e) {
                complete = false;
                errors.add(tree.errorAt(e.file().equals(key) ? at + "/key" : at + "/cert", e.getMessage()));
            }
        }
        String clientAuth = tls.path("client_auth").asText("none");
        Path clientCa = ConfigBinder.path(tls.path("client_ca"), baseDir);
        List<X509Certificate> trusted = List.of();
        if (!clientAuth.equals("none") && clientCa == null) {
            complete = false;
            errors.add(tree.errorAt(path + "/client_auth", "client_auth " + clientAuth
                    + " needs client_ca, the PEM bundle of CAs that sign client certificates"));
        }
        if (clientCa != null) {
            try {
                trusted = TrustBundle.load(clientCa);
            } catch (TlsConfigException e) {
                complete = false;
                errors.add(tree.errorAt(path + "/client_ca", e.getMessage()));
            }
        }
        if (!complete) {
            return;
        }
        SniContexts.Builder builder = SniContexts.builder(TlsProvider.selected())
                .defaultBundle(bundles.get(0))
                .protocols(tls.has("protocols") ? texts(tls.path("protocols")) : TlsDefaults.PROTOCOLS)
                .ciphers(tls.has("ciphers") ? texts(tls.path("ciphers")) : TlsDefaults.INTERMEDIATE_CIPHERS);
        bundles.forEach(builder::add);
        if (!clientAuth.equals("none")) {
            builder.clientAuth(io.netty.handler.ssl.ClientAuth.valueOf(clientAuth.toUpperCase(Locale.ROOT)), trusted);
        }
        try (SniContexts contexts = builder.build()) {
            // built once to find what only the TLS engine can tell (unsupported ciphers, a name served twice)
        } catch (TlsConfigException e) {
            String at = fileAt.get(e.file());
            errors.add(tree.errorAt(at != null && !e.getMessage().contains("cipher") ? at : path + "/ciphers",
                    e.getMessage()));
        } catch (IllegalArgumentException e) {
            errors.add(tree.errorAt(path, e.getMessage()));
        }
    }

    /** Protocol, TLS and multiplexing settings of a cluster agree, and its TLS files load. */
    private void clusterTransport(JsonNode cluster, String path) {
        String protocol = cluster.path("protocol").asText("http1");
        JsonNode tls = cluster.path("tls");
        if (protocol.equals("h2") && !tls.isObject()) {
            errors.add(tree.errorAt(path + "/protocol", "protocol h2 is HTTP/2 over TLS and needs tls;"
                    + " use h2c for cleartext HTTP/2"));
        }
        if (protocol.equals("h2c") && tls.isObject()) {
            errors.add(tree.errorAt(path + "/protocol", "protocol h2c is cleartext HTTP/2; with tls, use h2"));
        }
        if (cluster.has("max_streams_per_connection") && protocol.equals("http1")) {
            errors.add(tree.errorAt(path + "/max_streams_per_connection", "max_streams_per_connection needs"
                    + " protocol h2 or h2c; HTTP/1.1 carries one request per connection"));
        }
        if (cluster.path("health_check").has("http") && (!protocol.equals("http1") || tls.isObject())) {
            errors.add(tree.errorAt(path + "/health_check/http", "http health checks speak cleartext HTTP/1.1;"
                    + " for a " + (tls.isObject() ? "TLS" : protocol) + " cluster use tcp: {}"));
        }
        if (!tls.isObject()) {
            return;
        }
        Path ca = ConfigBinder.path(tls.path("ca"), baseDir);
        Path cert = ConfigBinder.path(tls.path("cert"), baseDir);
        Path key = ConfigBinder.path(tls.path("key"), baseDir);
        if ((cert == null) != (key == null)) {
            errors.add(tree.errorAt(path + "/tls/" + (cert == null ? "key" : "cert"), "a client certificate needs"
                    + " both cert and key"));
            return;
        }
        try {
            io.netty.util.ReferenceCountUtil.release(ClientContexts.build(TlsProvider.selected(), ca, cert, key,
                    tls.path("verify_hostname").asBoolean(true), List.of(), Clock.systemUTC()));
        } catch (TlsConfigException e) {
            String field = e.file().equals(key) ? "key" : e.file().equals(cert) ? "cert" : "ca";
            errors.add(tree.errorAt(path + "/tls/" + field, e.getMessage()));
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private void positiveDuration(JsonNode value, String path) {
        if (isZero(value)) {
            errors.add(tree.errorAt(path, "must be greater than 0"));
        } else {
            duration(value, path);
        }
    }

    private Map<String, String> clusters(JsonNode clusters) {
        Map<String, String> names = new HashMap<>();
        for (int i = 0; i < clusters.size(); i++) {
            String path = SourceTree.child("/clusters", i);
            JsonNode cluster = clusters.path(i);
            unique(cluster.path("name"), path + "/name", "cluster", names);
            endpoints(cluster.path("endpoints"), path + "/endpoints");
            duration(cluster.path("connect_timeout"), path + "/connect_timeout");
            duration(cluster.path("pool").path("idle_timeout"), path + "/pool/idle_timeout");
            duration(cluster.path("dns_refresh"), path + "/dns_refresh");
            healthCheck(cluster.path("health_check"), path + "/health_check");
            clusterTransport(cluster, path);
            duration(cluster.path("timeouts").path("per_try"), path + "/timeouts/per_try");
            duration(cluster.path("timeouts").path("total"), path + "/timeouts/total");
            duration(cluster.path("timeouts").path("idle"), path + "/timeouts/idle");
            duration(cluster.path("timeouts").path("drain"), path + "/timeouts/drain");
            retry(cluster.path("retry"), path + "/retry");
            breaker(cluster.path("circuit_breaker"), path + "/circuit_breaker");
            JsonNode outlier = cluster.path("outlier_detection");
            for (String field : List.of("interval", "base_ejection_time", "max_ejection_time")) {
                if (isZero(outlier.path(field))) {
                    errors.add(tree.errorAt(path + "/outlier_detection/" + field, "must be greater than 0"));
                } else {
                    duration(outlier.path(field), path + "/outlier_detection/" + field);
                }
            }
            String policy = cluster.path("lb_policy").asText("round_robin");
            if (cluster.has("hash_balance_factor") && isPolicyName(policy) && !policy.equals("ring_hash")
                    && !policy.equals("maglev")) {
                errors.add(tree.errorAt(path + "/hash_balance_factor", "hash_balance_factor needs lb_policy"
                        + " ring_hash or maglev; this cluster uses " + policy));
            }
        }
        for (int i = 0; i < clusters.size(); i++) {
            JsonNode failover = clusters.path(i).path("failover");
            String at = SourceTree.child("/clusters", i) + "/failover";
            if (failover.isTextual() && !names.containsKey(failover.textValue())) {
                errors.add(tree.errorAt(at, "unknown failover cluster '" + failover.textValue() + "'"));
            } else if (failover.isTextual() && failover.textValue().equals(clusters.path(i).path("name").asText())) {
                errors.add(tree.errorAt(at, "a cluster cannot fail over to itself"));
            }
        }
        return names;
    }

    /** Addresses parse, and no address appears twice in one cluster (it would get double weight silently). */
    private void endpoints(JsonNode endpoints, String path) {
        Map<String, String> seen = new HashMap<>();
        for (int j = 0; j < endpoints.size(); j++) {
            JsonNode endpoint = endpoints.path(j);
            String at = SourceTree.child(path, j);
            if (endpoint.isObject()) {
                endpoint = endpoint.path("address");
                at = at + "/address";
            }
            if (!endpoint.isTextual()) {
                continue;
            }
            try {
                HostPort hostPort = HostPort.parse(endpoint.textValue(), 1);
                String key = hostPort.host().toLowerCase(Locale.ROOT) + ":" + hostPort.port();
                String first = seen.putIfAbsent(key, at);
                if (first != null) {
                    errors.add(tree.errorAt(at, "duplicate endpoint address '" + endpoint.textValue()
                            + "'; already listed at line " + tree.lineOf(first) + " (use weight instead)"));
                }
            } catch (IllegalArgumentException e) {
                errors.add(tree.errorAt(at, e.getMessage()));
            }
        }
    }

    private void healthCheck(JsonNode check, String path) {
        if (!check.isObject()) {
            return;
        }
        boolean http = check.has("http");
        boolean tcp = check.has("tcp");
        if (http == tcp) {
            errors.add(tree.errorAt(path, http ? "health_check takes one of http and tcp, not both"
                    : "health_check needs one of http or tcp (write tcp: {} for a connect check)"));
        }
        for (String field : List.of("interval", "timeout")) {
            JsonNode value = check.path(field);
            if (isZero(value)) {
                errors.add(tree.errorAt(path + "/" + field, "must be greater than 0"));
            } else {
                duration(value, path + "/" + field);
            }
        }
        duration(check.path("jitter"), path + "/jitter");
        JsonNode statuses = check.path("http").path("expected_statuses");
        for (int i = 0; i < statuses.size(); i++) {
            JsonNode status = statuses.path(i);
            if (status.isTextual() && status.textValue().matches("[1-5][0-9][0-9]-[1-5][0-9][0-9]")) {
                try {
                    ConfigBinder.statusRange(status);
                } catch (IllegalArgumentException e) {
                    errors.add(tree.errorAt(SourceTree.child(path + "/http/expected_statuses", i), e.getMessage()));
                }
            }
        }
    }

    private void retry(JsonNode retry, String path) {
        if (!retry.isObject()) {
            return;
        }
        JsonNode base = retry.path("backoff").path("base");
        JsonNode max = retry.path("backoff").path("max");
        duration(max, path + "/backoff/max");
        if (isZero(base)) {
            errors.add(tree.errorAt(path + "/backoff/base", "must be greater than 0"));
        } else {
            duration(base, path + "/backoff/base");
        }
        size(retry.path("max_body"), path + "/max_body", Long.MAX_VALUE);
    }

    private void breaker(JsonNode breaker, String path) {
        for (String field : List.of("slow_call_duration", "window", "open_duration")) {
            if (isZero(breaker.path(field))) {
                errors.add(tree.errorAt(path + "/" + field, "must be greater than 0"));
            } else {
                duration(breaker.path(field), path + "/" + field);
            }
        }
    }

    private static boolean clusterHasBreaker(JsonNode clusters, String name) {
        for (JsonNode cluster : clusters) {
            if (name.equals(cluster.path("name").textValue())) {
                return cluster.has("circuit_breaker");
            }
        }
        return false;
    }

    private static boolean isZero(JsonNode duration) {
        try {
            return duration.isIntegralNumber() ? duration.longValue() == 0
                    : duration.isTextual() && Durations.parse(duration.textValue()).isZero();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private void routes(JsonNode routes, Map<String, String> clusters, JsonNode clusterNodes) {
        Map<String, String> names = new HashMap<>();
        MatchValidator matches = new MatchValidator(tree, errors);
        for (int i = 0; i < routes.size(); i++) {
            String path = SourceTree.child("/routes", i);
            JsonNode route = routes.path(i);
            unique(route.path("name"), path + "/name", "route", names);
            JsonNode cluster = route.path("cluster");
            if (cluster.isTextual() && !clusters.containsKey(cluster.textValue())) {
                errors.add(tree.errorAt(path + "/cluster", "unknown cluster '" + cluster.textValue()
                        + "'; defined clusters: " + (clusters.isEmpty() ? "(none)"
                        : String.join(", ", clusters.keySet().stream().sorted().toList()))));
            }
            matches.validate(route.path("match"), path + "/match");
            JsonNode prefix = route.path("rewrite").path("prefix");
            if (prefix.isTextual() && !route.path("match").path("path_prefix").isTextual()) {
                errors.add(tree.errorAt(path + "/rewrite/prefix",
                        "rewrite.prefix is only allowed when match.path_prefix is set"));
            }
            duration(route.path("timeout"), path + "/timeout");
            duration(route.path("total_timeout"), path + "/total_timeout");
            duration(route.path("connect_timeout"), path + "/connect_timeout");
            duration(route.path("idle_timeout"), path + "/idle_timeout");
            duration(route.path("drain_timeout"), path + "/drain_timeout");
            breaker(route.path("circuit_breaker"), path + "/circuit_breaker");
            JsonNode fallback = route.path("fallback");
            JsonNode fallbackCluster = fallback.path("cluster");
            if (fallbackCluster.isTextual() && !clusters.containsKey(fallbackCluster.textValue())) {
                errors.add(tree.errorAt(path + "/fallback/cluster", "unknown cluster '" + fallbackCluster.textValue()
                        + "'"));
            }
            JsonNode cache = fallback.path("cache");
            duration(cache.path("ttl"), path + "/fallback/cache/ttl");
            size(cache.path("max_bytes"), path + "/fallback/cache/max_bytes", Long.MAX_VALUE);
            size(cache.path("max_entry"), path + "/fallback/cache/max_entry", Integer.MAX_VALUE);
            if (fallback.isObject() && !route.has("circuit_breaker") && !clusterHasBreaker(clusterNodes,
                    cluster.asText())) {
                errors.add(tree.errorAt(path + "/fallback", "a fallback needs a circuit_breaker on the route or its"
                        + " cluster"));
            }
            retry(route.path("retry"), path + "/retry");
            size(route.path("max_body_size"), path + "/max_body_size", Long.MAX_VALUE);
            if (route.has("hash_key") && cluster.isTextual() && clusters.containsKey(cluster.textValue())) {
                String policy = policyOf(clusterNodes, cluster.textValue());
                boolean known = isPolicyName(policy); // an unknown one is reported already
                if (known && !policy.equals("ring_hash") && !policy.equals("maglev")) {
                    errors.add(tree.errorAt(path + "/hash_key", "hash_key needs a cluster with lb_policy ring_hash"
                            + " or maglev; cluster '" + cluster.textValue() + "' uses " + policy));
                }
            }
        }
    }

    private static boolean isPolicyName(String policy) {
        for (ClusterConfig.LbPolicy p : ClusterConfig.LbPolicy.values()) {
            if (p.name().toLowerCase(Locale.ROOT).equals(policy)) {
                return true;
            }
        }
        return false;
    }

    private static String policyOf(JsonNode clusters, String name) {
        for (JsonNode cluster : clusters) {
            if (name.equals(cluster.path("name").textValue())) {
                return cluster.path("lb_policy").asText("round_robin");
            }
        }
        return "round_robin";
    }

    /** The label value metrics give answers that no route took; a route or cluster of that name would share it. */
    static final String RESERVED_NAME = "none";

    /** Records {@code name} in {@code seen} (name to path), reporting a second use. */
    private void unique(JsonNode name, String path, String kind, Map<String, String> seen) {
        if (!name.isTextual()) {
            return;
        }
        if ((kind.equals("route") || kind.equals("cluster")) && name.textValue().equals(RESERVED_NAME)) {
            errors.add(tree.errorAt(path, "the " + kind + " name '" + RESERVED_NAME + "' is reserved: metrics label "
                    + "requests that no route took with it"));
        }
        String first = seen.putIfAbsent(name.textValue(), path);
        if (first != null) {
            errors.add(tree.errorAt(path, "duplicate " + kind + " name '" + name.textValue()
                    + "'; already used at line " + tree.lineOf(first)));
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

    private void size(JsonNode value, String path, long max) {
        long bytes;
        if (value.isTextual()) {
            try {
                bytes = Sizes.parse(value.textValue());
            } catch (IllegalArgumentException e) {
                errors.add(tree.errorAt(path, e.getMessage()));
                return;
            }
        } else if (value.isIntegralNumber()) {
            bytes = value.canConvertToLong() ? value.longValue() : Long.MAX_VALUE;
        } else {
            return;
        }
        if (bytes > max) {
            errors.add(tree.errorAt(path, "must be at most " + max + " bytes, was " + value.asText()));
        }
    }
}
