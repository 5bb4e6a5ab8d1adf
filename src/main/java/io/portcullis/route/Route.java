package io.portcullis.route;

import io.netty.handler.codec.http.HttpHeaders;
import io.portcullis.config.ResilienceConfig;
import io.portcullis.config.RouteConfig;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A route compiled from one {@link RouteConfig}: what {@link Router#find} hands back to {@code server}, and what
 * {@code filter} and {@code upstream} read afterwards (cluster, timeout, body limit, rewrites). Immutable and
 * thread-safe.
 *
 * <p>The host and path parts of the match are enforced by the router's indexes; a route itself checks the rest
 * (methods, headers and, for regex routes, the path).
 */
public final class Route {

    private final RouteConfig config;
    private final int order;
    private final long timeoutMillis;
    private final long maxBodySize;
    private final String[] methods;
    private final HeaderCondition[] headers;
    private final Pattern pathRegex;
    private final PrefixRewrite rewrite;
    /** No method, header or regex condition: spares the hot path loading those arrays. */
    private final boolean unconditional;

    Route(RouteConfig config, int order) {
        this.config = Objects.requireNonNull(config, "config");
        this.order = order;
        String where = "route '" + config.name() + "'";
        RouteConfig.Match match = config.match();
        int pathKinds = (match.path() != null ? 1 : 0) + (match.pathPrefix() != null ? 1 : 0)
                + (match.pathRegex() != null ? 1 : 0);
        if (pathKinds > 1) {
            throw new IllegalArgumentException(
                    where + ": at most one of path, path_prefix, path_regex may be set, was " + pathKinds);
        }
        this.timeoutMillis = config.timeout() == null ? -1 : config.timeout().toMillis();
        this.maxBodySize = config.maxBodySize() == null ? -1 : config.maxBodySize();
        this.methods = new String[match.methods().size()];
        for (int i = 0; i < methods.length; i++) {
            // Interned so that Netty's constant method names (HttpMethod.GET.name()) compare by identity.
            methods[i] = match.methods().get(i).toUpperCase(Locale.ROOT).intern();
        }
        List<RouteConfig.HeaderMatch> headerMatches = match.headers();
        this.headers = new HeaderCondition[headerMatches.size()];
        for (int i = 0; i < headers.length; i++) {
            headers[i] = HeaderCondition.compile(where + " headers[" + i + "]", headerMatches.get(i));
        }
        this.pathRegex = match.pathRegex() == null ? null
                : RegexCompiler.compile(where + " path_regex", match.pathRegex());
        this.rewrite = PrefixRewrite.of(where, match.pathPrefix(), config.rewrite().prefix());
        this.unconditional = pathRegex == null && methods.length == 0 && headers.length == 0;
    }

    public String name() {
        return config.name();
    }

    public String cluster() {
        return config.cluster();
    }

    public RouteConfig config() {
        return config;
    }

    /** Index in the configured route list; the lowest order among matching routes wins. */
    public int order() {
        return order;
    }

    /** @return the Host to send upstream, or null to keep the client's */
    public String hostRewrite() {
        return config.rewrite().host();
    }

    /** @return how long the route's requests may still take on shutdown, or null to use the cluster's */
    public Duration drainTimeout() {
        return config.drainTimeout();
    }

    /** @return the route's connect timeout, or null to use the cluster's */
    public Duration connectTimeout() {
        return config.connectTimeout();
    }

    /** @return the route's idle timeout between response body reads, or null to use the cluster's */
    public Duration idleTimeout() {
        return config.idleTimeout();
    }

    /** @return the route's total timeout, or null to use the cluster's */
    public Duration totalTimeout() {
        return config.totalTimeout();
    }

    /** @return what the route answers while its breaker is open, or null */
    public RouteConfig.Fallback fallback() {
        return config.fallback();
    }

    /** @return the route's retry policy, or null to use the cluster's */
    public ResilienceConfig.Retry retry() {
        return config.retry();
    }

    /** @return what a hashing cluster hashes for this route's requests, or null */
    public RouteConfig.HashKey hashKey() {
        return config.hashKey();
    }

    /** @return the per-try timeout set on the route, or -1 to use the cluster's */
    public long timeoutMillis() {
        return timeoutMillis;
    }

    /** @return the request body limit in bytes, or -1 to use the listener's default */
    public long maxBodySize() {
        return maxBodySize;
    }

    /**
     * Applies the prefix rewrite to a request target path (query string, if any, kept as is). Returns the input
     * unchanged (same instance) when there is no rewrite, or when the input does not start with the matched prefix.
     *
     * @see PrefixRewrite#apply(String) for how slashes at the join are handled
     */
    public String rewritePath(String pathAndQuery) {
        return rewrite == null ? pathAndQuery : rewrite.apply(pathAndQuery);
    }

    /** The parts of the match not enforced by the index: path regex (if any), methods and headers. */
    boolean accepts(String path, String method, HttpHeaders headers) {
        if (unconditional) {
            return true;
        }
        if (pathRegex != null && !pathRegex.matcher(path).matches()) {
            return false;
        }
        if (methods.length > 0 && !containsMethod(method)) {
            return false;
        }
        for (HeaderCondition condition : this.headers) {
            if (!condition.test(headers)) {
                return false;
            }
        }
        return true;
    }

    boolean isRegex() {
        return pathRegex != null;
    }

    private boolean containsMethod(String method) {
        for (String m : methods) {
            if (m.equals(method)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "Route{" + config.name() + " #" + order + " -> " + config.cluster() + "}";
    }
}
