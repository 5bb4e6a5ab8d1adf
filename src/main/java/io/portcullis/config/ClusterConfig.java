package io.portcullis.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A named group of backend endpoints, how one of them is chosen per request, how their health is checked, and how
 * the gateway connects to them.
 *
 * @param endpoints      in config order; names are resolved when a snapshot is built and again every
 *                       {@code dnsRefresh}
 * @param lbPolicy       how an endpoint is chosen among the healthy ones of the lowest usable priority level
 * @param healthCheck    active health checking, or {@link HealthCheck#NONE}
 * @param panicThreshold when less than this percentage (0..100) of a priority level is healthy, that level is balanced
 *                       across all its endpoints, healthy or not; 0 turns panic mode off
 * @param optional       an optional cluster with no healthy endpoint does not make the gateway unready
 * @param dnsRefresh     how often endpoint names are resolved again; {@link Duration#ZERO} = only at load
 * @param hashBalanceFactor for ring_hash and maglev, the most requests in flight an endpoint may take, in percent
 *                       of its weight's share (bounded-load consistent hashing); 0 = unbounded
 * @param resilience     timeouts, retries, bulkhead limits and failover
 * @param transport      how requests travel to the endpoints: HTTP/1.1, h2 or h2c, with or without TLS
 */
public record ClusterConfig(
        String name,
        List<Endpoint> endpoints,
        LbPolicy lbPolicy,
        Duration connectTimeout,
        Pool pool,
        HealthCheck healthCheck,
        double panicThreshold,
        boolean optional,
        Duration dnsRefresh,
        int hashBalanceFactor,
        ResilienceConfig resilience,
        Transport transport) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final double DEFAULT_PANIC_THRESHOLD = 50;
    public static final Duration DEFAULT_DNS_REFRESH = Duration.ofSeconds(30);

    public ClusterConfig {
        Objects.requireNonNull(name, "name");
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("cluster " + name + ": endpoints must not be empty");
        }
        Objects.requireNonNull(lbPolicy, "lbPolicy");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(healthCheck, "healthCheck");
        if (!(panicThreshold >= 0 && panicThreshold <= 100)) {
            throw new IllegalArgumentException("panic_threshold must be in [0, 100], was " + panicThreshold);
        }
        Objects.requireNonNull(dnsRefresh, "dnsRefresh");
        Objects.requireNonNull(resilience, "resilience");
        Objects.requireNonNull(transport, "transport");
        if (hashBalanceFactor != 0 && hashBalanceFactor < 100) {
            throw new IllegalArgumentException("hash_balance_factor must be 0 or >= 100, was " + hashBalanceFactor);
        }
    }

    /** A plain HTTP/1.1 cluster. */
    public ClusterConfig(String name, List<Endpoint> endpoints, LbPolicy lbPolicy, Duration connectTimeout, Pool pool,
            HealthCheck healthCheck, double panicThreshold, boolean optional, Duration dnsRefresh,
            int hashBalanceFactor, ResilienceConfig resilience) {
        this(name, endpoints, lbPolicy, connectTimeout, pool, healthCheck, panicThreshold, optional, dnsRefresh,
                hashBalanceFactor, resilience, Transport.DEFAULT);
    }

    /** A cluster with defaults for everything but its name and endpoints (tests, the demo). */
    public static ClusterConfig of(String name, List<Endpoint> endpoints) {
        return new ClusterConfig(name, endpoints, LbPolicy.ROUND_ROBIN, DEFAULT_CONNECT_TIMEOUT, Pool.DEFAULT,
                HealthCheck.NONE, DEFAULT_PANIC_THRESHOLD, false, DEFAULT_DNS_REFRESH, 0, ResilienceConfig.DEFAULT);
    }

    /** Whether routes to this cluster may (and should) set a hash key. */
    public boolean hashing() {
        return lbPolicy == LbPolicy.RING_HASH || lbPolicy == LbPolicy.MAGLEV;
    }

    /** The upstream protocol; the config spells them {@code http1}, {@code h2}, {@code h2c}. */
    public enum Protocol { HTTP1, H2, H2C }

    /**
     * How the gateway talks to a cluster's endpoints.
     *
     * @param protocol             HTTP/1.1 (one request per connection at a time), h2 (HTTP/2 over TLS, ALPN) or h2c
     *                             (cleartext HTTP/2 with prior knowledge); h2 and h2c multiplex requests as streams
     * @param maxStreamsPerConnection for h2/h2c, the streams one connection carries at once (the server's own
     *                             SETTINGS_MAX_CONCURRENT_STREAMS lowers it further)
     * @param tls                  TLS to the endpoints, or null for cleartext; h2 requires it
     */
    public record Transport(Protocol protocol, int maxStreamsPerConnection, UpstreamTls tls) {
        public static final int DEFAULT_MAX_STREAMS = 100;
        public static final Transport DEFAULT = new Transport(Protocol.HTTP1, DEFAULT_MAX_STREAMS, null);

        public Transport {
            Objects.requireNonNull(protocol, "protocol");
            if (maxStreamsPerConnection < 1) {
                throw new IllegalArgumentException("max_streams_per_connection must be >= 1");
            }
        }

        public boolean multiplexed() {
            return protocol != Protocol.HTTP1;
        }
    }

    /**
     * TLS from the gateway to a cluster's endpoints.
     *
     * @param ca             PEM bundle of trusted CAs, or null for the JDK's default trust store
     * @param serverName     the SNI name sent and verified, or null for each endpoint's host name
     * @param verifyHostname whether the certificate must name the server (on unless turned off explicitly)
     * @param cert           client certificate chain (PEM) presented to the endpoints, or null
     * @param key            the client certificate's private key (PEM), set exactly when {@code cert} is
     */
    public record UpstreamTls(Path ca, String serverName, boolean verifyHostname, Path cert, Path key) {}

    /** Load-balancing policies; the config spells them in lower case ({@code least_request}). */
    public enum LbPolicy {
        ROUND_ROBIN, RANDOM, LEAST_REQUEST, RING_HASH, MAGLEV
    }

    /**
     * One backend address.
     *
     * @param weight   share of traffic relative to the level's other endpoints, > 0
     * @param priority 0 = primary, 1 = first backup, ...: traffic goes to the lowest level with healthy endpoints
     */
    public record Endpoint(String host, int port, int weight, int priority) {
        public Endpoint {
            Objects.requireNonNull(host, "host");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("endpoint port must be in 1..65535, was " + port);
            }
            if (weight <= 0) {
                throw new IllegalArgumentException("endpoint weight must be > 0, was " + weight);
            }
            if (priority < 0) {
                throw new IllegalArgumentException("endpoint priority must be >= 0, was " + priority);
            }
        }

        public Endpoint(String host, int port) {
            this(host, port, 1, 0);
        }

        /** {@code host:port}, with IPv6 literals bracketed. */
        public String address() {
            return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
        }

        @Override
        public String toString() {
            return address();
        }
    }

    /**
     * Connection pool settings for each endpoint, per event loop (each loop owns its pools).
     *
     * @param maxConnections open connections per endpoint per event loop; a request that finds none free waits
     *                       for one up to the connect timeout, then gets 503
     * @param maxIdle        idle keep-alive connections kept per endpoint per event loop
     * @param idleTimeout    an idle pooled connection is closed after this long
     */
    public record Pool(int maxConnections, int maxIdle, Duration idleTimeout) {
        // Idle connections are kept up to max_connections (as Envoy does) and age out by idle_timeout: a cap below
        // the concurrency an HTTP/2 client brings (100 streams each) closed and reopened connections per request.
        public static final Pool DEFAULT = new Pool(1024, 1024, Duration.ofSeconds(60));

        public Pool {
            if (maxConnections <= 0) {
                throw new IllegalArgumentException("max_connections must be > 0, was " + maxConnections);
            }
            if (maxIdle < 0) {
                throw new IllegalArgumentException("max_idle must be >= 0, was " + maxIdle);
            }
            Objects.requireNonNull(idleTimeout, "idleTimeout");
        }
    }

    /**
     * Active health checking. A check opens a fresh connection to the endpoint; TCP checks pass when it connects,
     * HTTP checks when the response status is expected.
     *
     * @param http               the HTTP check, or null for a TCP check
     * @param interval           time between the end of one check and the start of the next
     * @param jitter             up to this much random time is added to each interval
     * @param timeout            a check that has not passed within this long fails
     * @param healthyThreshold   consecutive passes that make an unhealthy endpoint healthy
     * @param unhealthyThreshold consecutive failures that make a healthy endpoint unhealthy
     */
    public record HealthCheck(
            boolean enabled,
            Http http,
            Duration interval,
            Duration jitter,
            Duration timeout,
            int healthyThreshold,
            int unhealthyThreshold) {

        public static final HealthCheck NONE = new HealthCheck(false, null, Duration.ofSeconds(10), Duration.ZERO,
                Duration.ofSeconds(2), 2, 3);

        public HealthCheck {
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(jitter, "jitter");
            Objects.requireNonNull(timeout, "timeout");
            if (enabled && interval.isZero()) {
                throw new IllegalArgumentException("health_check.interval must be > 0");
            }
            if (healthyThreshold < 1 || unhealthyThreshold < 1) {
                throw new IllegalArgumentException("health_check thresholds must be >= 1, were "
                        + healthyThreshold + " and " + unhealthyThreshold);
            }
        }
    }

    /**
     * @param path             request path (with query, if any) of the check
     * @param host             Host header of the check, or null for the endpoint's {@code host:port}
     * @param expectedStatuses statuses that pass
     */
    public record Http(String path, String host, List<StatusRange> expectedStatuses) {
        public Http {
            Objects.requireNonNull(path, "path");
            expectedStatuses = List.copyOf(expectedStatuses);
            if (expectedStatuses.isEmpty()) {
                throw new IllegalArgumentException("expected_statuses must not be empty");
            }
        }

        public boolean expected(int status) {
            for (StatusRange r : expectedStatuses) {
                if (status >= r.from() && status <= r.to()) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Inclusive range of HTTP statuses. */
    public record StatusRange(int from, int to) {
        public static final StatusRange SUCCESS = new StatusRange(200, 299);

        public StatusRange {
            if (from < 100 || to > 599 || from > to) {
                throw new IllegalArgumentException("status range must lie in 100..599 with from <= to, was "
                        + from + "-" + to);
            }
        }
    }
}
