package io.portcullis.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A named group of backend endpoints and how the gateway connects to them.
 *
 * @param endpoints {@code host:port} strings as written in the config, in order
 */
public record ClusterConfig(
        String name,
        List<Endpoint> endpoints,
        Duration connectTimeout,
        Pool pool) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);

    public ClusterConfig {
        Objects.requireNonNull(name, "name");
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("cluster " + name + ": endpoints must not be empty");
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(pool, "pool");
    }

    /** One backend address. */
    public record Endpoint(String host, int port) {
        public Endpoint {
            Objects.requireNonNull(host, "host");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("endpoint port must be in 1..65535, was " + port);
            }
        }

        @Override
        public String toString() {
            return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
        }
    }

    /**
     * Per event loop connection pool settings for each endpoint.
     *
     * @param maxIdle     idle keep-alive connections kept per endpoint per event loop
     * @param idleTimeout an idle pooled connection is closed after this long
     */
    public record Pool(int maxIdle, Duration idleTimeout) {
        public static final Pool DEFAULT = new Pool(64, Duration.ofSeconds(60));
    }
}
