package io.portcullis.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The whole, validated configuration of one gateway: the root of an immutable snapshot.
 *
 * <p>Produced by {@link ConfigLoader} from YAML or JSON; never mutated afterwards. A reload builds a new instance.
 */
public record GatewayConfig(
        ServerConfig server,
        AccessLogConfig accessLog,
        List<ListenerConfig> listeners,
        List<RouteConfig> routes,
        List<ClusterConfig> clusters) {

    public GatewayConfig {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(accessLog, "accessLog");
        listeners = List.copyOf(listeners);
        routes = List.copyOf(routes);
        clusters = List.copyOf(clusters);
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
}
