package io.portcullis.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One routing rule: a match, the cluster it sends to, and per-route behaviour. Routes are tried in file order; the
 * first whose match accepts the request wins.
 *
 * @param timeout     per try: time from sending the request upstream to receiving the response head (504 when
 *                    exceeded), also the longest silence allowed between response body reads; null = the
 *                    cluster's {@code timeouts.per_try}, else {@link #DEFAULT_TIMEOUT}
 * @param maxBodySize request body limit in bytes for this route, or {@code null} to use the listener's default
 * @param hashKey     what a hashing cluster ({@code ring_hash}, {@code maglev}) hashes to pick an endpoint, or
 *                    {@code null}: such clusters then pick at random
 * @param totalTimeout bound on the whole exchange until the response head, retries included; null = the cluster's
 * @param retry       retry policy replacing the cluster's, or null to use the cluster's
 * @param breaker     a circuit breaker of the route's own, used instead of the cluster's, or null
 * @param fallback    what the route answers while its breaker is open, or null (503 with Retry-After)
 * @param filters     the route's filters, run in this order after routing
 * @param connectTimeout time allowed to open an upstream connection for this route, or null for the cluster's
 * @param idleTimeout longest silence between response body reads, or null for the cluster's {@code timeouts.idle}
 * @param drainTimeout on shutdown, how long this route's requests in flight may still take, or null for the
 *                    cluster's {@code timeouts.drain}
 * @param security    the route's security policy, on top of its listener's
 */
public record RouteConfig(
        String name,
        Match match,
        String cluster,
        Rewrite rewrite,
        Duration timeout,
        Long maxBodySize,
        HashKey hashKey,
        Duration totalTimeout,
        ResilienceConfig.Retry retry,
        ResilienceConfig.Breaker breaker,
        Fallback fallback,
        List<FilterConfig> filters,
        Duration connectTimeout,
        Duration idleTimeout,
        Duration drainTimeout,
        PolicyConfig security) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

    public RouteConfig {
        Objects.requireNonNull(name, "name");
        filters = filters == null ? List.of() : List.copyOf(filters);
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(rewrite, "rewrite");
        Objects.requireNonNull(security, "security");
    }

    /** A route without a security policy of its own. */
    public RouteConfig(String name, Match match, String cluster, Rewrite rewrite, Duration timeout, Long maxBodySize,
            HashKey hashKey, Duration totalTimeout, ResilienceConfig.Retry retry, ResilienceConfig.Breaker breaker,
            Fallback fallback, List<FilterConfig> filters, Duration connectTimeout, Duration idleTimeout,
            Duration drainTimeout) {
        this(name, match, cluster, rewrite, timeout, maxBodySize, hashKey, totalTimeout, retry, breaker, fallback,
                filters, connectTimeout, idleTimeout, drainTimeout, PolicyConfig.NONE);
    }

    /** A route without a hash key. */
    public RouteConfig(String name, Match match, String cluster, Rewrite rewrite, Duration timeout,
            Long maxBodySize) {
        this(name, match, cluster, rewrite, timeout, maxBodySize, null, null, null, null, null, List.of(), null,
                null, null);
    }

    /**
     * The answer while the route's circuit breaker is open: exactly one of a static response, the last good cached
     * response for the same GET, or another cluster.
     *
     * @param staticResponse the fixed response, or null
     * @param cache          the response cache settings, or null
     * @param cluster        the cluster to send to instead, or null
     */
    public record Fallback(StaticResponse staticResponse, Cache cache, String cluster) {
        public Fallback {
            int kinds = (staticResponse != null ? 1 : 0) + (cache != null ? 1 : 0) + (cluster != null ? 1 : 0);
            if (kinds != 1) {
                throw new IllegalArgumentException("fallback needs exactly one of static, cache, cluster, had " + kinds);
            }
        }

        /** A fixed response; {@code headers} in order. */
        public record StaticResponse(int status, List<Map.Entry<String, String>> headers, String body) {
            public StaticResponse {
                headers = List.copyOf(headers);
                Objects.requireNonNull(body, "body");
            }
        }

        /**
         * Successful GET responses of the route are kept (up to {@code maxEntryBytes} each, {@code maxBytes} in all,
         * for {@code ttl}) under method, host, path and query, and the values of {@code vary} headers.
         */
        public record Cache(Duration ttl, long maxBytes, int maxEntryBytes, List<String> vary) {
            public Cache {
                Objects.requireNonNull(ttl, "ttl");
                vary = List.copyOf(vary);
            }
        }
    }

    /**
     * The part of a request a hashing load balancer hashes, so that equal values reach the same endpoint.
     *
     * @param name the header, cookie or query parameter name; null for {@code CLIENT_ADDRESS} and {@code PATH}
     */
    public record HashKey(Source source, String name) {
        public HashKey {
            Objects.requireNonNull(source, "source");
            if ((name == null) != (source == Source.CLIENT_ADDRESS || source == Source.PATH)) {
                throw new IllegalArgumentException("hash key " + source + (name == null ? " needs" : " takes no")
                        + " name");
            }
        }

        /** Where the hashed value comes from. */
        public enum Source {
            HEADER, COOKIE, CLIENT_ADDRESS, PATH, QUERY_PARAM
        }
    }

    /**
     * What a request must look like for the route to apply. Every non-null part must match.
     *
     * @param hosts      exact names ({@code api.example.com}) or leading wildcards ({@code *.example.com}); empty =
     *                   any host. Compared case-insensitively, without the port.
     * @param path       exact path (query excluded), or null
     * @param pathPrefix path prefix, or null
     * @param pathRegex  a Java regex that must match the whole path, or null. At most one of the three path kinds.
     * @param methods    upper-case method names; empty = any
     * @param headers    every listed header must match
     */
    public record Match(
            List<String> hosts,
            String path,
            String pathPrefix,
            String pathRegex,
            List<String> methods,
            List<HeaderMatch> headers) {
        public Match {
            hosts = List.copyOf(hosts);
            methods = List.copyOf(methods);
            headers = List.copyOf(headers);
        }
    }

    /**
     * A header condition. Exactly one of {@code exact}, {@code regex}, {@code present} is set; {@code present ==
     * false} means the header must be absent.
     */
    public record HeaderMatch(String name, String exact, String regex, Boolean present) {
        public HeaderMatch {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * @param prefix replaces the matched {@code path_prefix} (only valid with a prefix match), or null
     * @param host   replaces the Host sent upstream, or null to keep the client's Host
     */
    public record Rewrite(String prefix, String host) {
        public static final Rewrite NONE = new Rewrite(null, null);
    }
}
