package io.portcullis.config;

import java.time.Duration;
import java.util.Objects;

/**
 * A downstream socket the gateway accepts HTTP on, with the limits and timeouts that protect it.
 *
 * @param host          bind host (IP literal or name), from {@code address: host:port}
 * @param port          bind port; 0 asks the OS for a free one
 * @param limits        request size limits enforced before anything reaches a backend
 * @param headerReadTimeout time allowed to receive a complete request head (slowloris defence)
 * @param idleTimeout   a connection with no request in flight and no bytes for this long is closed
 */
public record ListenerConfig(
        String name,
        String host,
        int port,
        Limits limits,
        Duration headerReadTimeout,
        Duration idleTimeout) {

    public ListenerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, was " + port);
        }
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(headerReadTimeout, "headerReadTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
    }

    /**
     * @param maxRequestLine bytes in the request line, beyond which the answer is 414
     * @param maxHeaderSize  bytes in the whole header section, beyond which the answer is 431
     * @param maxHeaderField bytes in one header field line (name + value), beyond which the answer is 431
     * @param maxBodySize    default request body limit for routes that set none (413)
     */
    public record Limits(int maxRequestLine, int maxHeaderSize, int maxHeaderField, long maxBodySize) {
        public static final Limits DEFAULT = new Limits(8192, 32 * 1024, 16 * 1024, 10L * 1024 * 1024);
    }

    public static final Duration DEFAULT_HEADER_READ_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
}
