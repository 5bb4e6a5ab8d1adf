package io.portcullis.config;

import io.portcullis.ratelimit.anomaly.AnomalyRules;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The whole, validated configuration of one gateway: the root of an immutable snapshot.
 *
 * <p>Produced by {@link ConfigLoader} from YAML or JSON; never mutated afterwards. A reload builds a new instance.
 *
 * @param redis      the Redis shared limits use, or null
 * @param rateLimits named rate limits that policies refer to
 * @param anomalyDetection the rules that flag floods, credential stuffing, path scanning and route error spikes, and
 *                   what each does about them; null when anomaly detection is off
 * @param overload   the adaptive concurrency limit with priority classes, or null for none
 */
public record GatewayConfig(
        ServerConfig server,
        AccessLogConfig accessLog,
        AdminConfig admin,
        List<ListenerConfig> listeners,
        List<RouteConfig> routes,
        List<ClusterConfig> clusters,
        SecurityConfig security,
        RedisConfig redis,
        List<RateLimitConfig> rateLimits,
        AnomalyRules anomalyDetection,
        OverloadConfig overload) {

    public GatewayConfig {
        Objects.requireNonNull(security, "security");
        rateLimits = List.copyOf(rateLimits);
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(accessLog, "accessLog");
        Objects.requireNonNull(admin, "admin");
        listeners = List.copyOf(listeners);
        routes = List.copyOf(routes);
        clusters = List.copyOf(clusters);
    }

    /** A configuration without security definitions. */
    public GatewayConfig(ServerConfig server, AccessLogConfig accessLog, AdminConfig admin,
            List<ListenerConfig> listeners, List<RouteConfig> routes, List<ClusterConfig> clusters) {
        this(server, accessLog, admin, listeners, routes, clusters, SecurityConfig.NONE, null, List.of(), null, null);
    }

    /** Gateway-wide settings. {@code eventLoops == 0} means one per available core. */
    public record ServerConfig(int eventLoops, Duration drainTimeout) {
        public static final ServerConfig DEFAULT = new ServerConfig(0, Duration.ofSeconds(30));

        public ServerConfig {
            if (eventLoops < 0) {
                throw new IllegalArgumentException("event_loops must be >= 0, was " + eventLoops);
            }
            Objects.requireNonNull(drainTimeout, "drainTimeout");
        }
    }

    /** Structured JSON access log; {@code path} is {@code "stdout"} or a file path. */
    public record AccessLogConfig(boolean enabled, String path) {
        public static final AccessLogConfig DEFAULT = new AccessLogConfig(true, "stdout");
    }

    /**
     * The admin listener (health, clusters, config and metrics endpoints), off unless configured.
     *
     * @param host bind host; loopback by default, since the admin API is not meant for the public
     * @param port bind port; 0 asks the OS for a free one
     */
    public record AdminConfig(boolean enabled, String host, int port) {
        public static final String DEFAULT_HOST = "127.0.0.1";
        public static final int DEFAULT_PORT = 9901;
        public static final AdminConfig DISABLED = new AdminConfig(false, DEFAULT_HOST, DEFAULT_PORT);

        public AdminConfig {
            Objects.requireNonNull(host, "host");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("admin port must be in 0..65535, was " + port);
            }
        }
    }
}
