package io.portcullis.route;

import io.netty.handler.codec.http.HttpHeaders;
import io.portcullis.config.RouteConfig;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The {@link Router}: routes indexed by host, then by path, so that a lookup costs the same with ten routes or ten
 * thousand.
 *
 * <p>Host buckets: exact names and {@code *.suffix} wildcards in {@link StringTable}s, and one bucket for routes that
 * accept any host (no hosts, or {@code *}). A lookup scans the host once from its end, hashing each suffix as it
 * goes, and probes the wildcard table at every label boundary (so {@code a.b.example.com} reaches both
 * {@code *.b.example.com} and {@code *.example.com}). Each bucket is a {@link PathIndex}. A request collects
 * candidates from every bucket its host reaches and the lowest {@link Route#order()} that fully matches wins, which
 * is exactly "first matching route in config order" whatever mix of index kinds the candidates come from.
 *
 * <p>Cost: a lookup is O(length of host + length of path): one hash probe per label of the host, and per bucket
 * reached one probe for the exact path and one per distinct configured prefix length up to the path's length, plus
 * the candidates sharing a key (e.g. routes differing only by method or header). The one exception: {@code path_regex}
 * routes cannot be indexed by path and are tried linearly within each host bucket the request reaches. The lookup
 * allocates nothing unless a regex (path or header) is evaluated or the host has upper-case letters.
 *
 * <p>Prefixes are plain string prefixes as in Envoy: {@code /api} matches {@code /api}, {@code /api/x} and also
 * {@code /apix}; write {@code /api/} to require a segment boundary.
 */
final class DefaultRouter implements Router {

    private final StringTable<PathIndex> exactHosts;
    /** Keyed by what follows {@code *.}: {@code *.example.com} is {@code example.com}. */
    private final StringTable<PathIndex> wildcardHosts;
    private final boolean hasWildcards;
    private final PathIndex anyHost;

    DefaultRouter(List<RouteConfig> routes) {
        Objects.requireNonNull(routes, "routes");
        Map<String, PathIndex.Builder> exact = new HashMap<>();
        Map<String, PathIndex.Builder> wildcards = new HashMap<>();
        PathIndex.Builder any = new PathIndex.Builder();
        for (int i = 0; i < routes.size(); i++) {
            RouteConfig config = routes.get(i);
            if (config == null) {
                throw new NullPointerException("routes[" + i + "]");
            }
            Route route = new Route(config, i);
            List<String> hosts = config.match().hosts();
            if (hosts.isEmpty()) {
                any.add(route);
            }
            Set<String> seen = new HashSet<>();
            for (int h = 0; h < hosts.size(); h++) {
                String host = normalizeHost("route '" + config.name() + "' hosts[" + h + "]", hosts.get(h));
                if (!seen.add(host)) {
                    continue;
                }
                if (host.equals("*")) {
                    any.add(route);
                } else if (host.startsWith("*.")) {
                    wildcards.computeIfAbsent(host.substring(2), k -> new PathIndex.Builder()).add(route);
                } else {
                    exact.computeIfAbsent(host, k -> new PathIndex.Builder()).add(route);
                }
            }
        }
        this.exactHosts = build(exact);
        this.wildcardHosts = build(wildcards);
        this.hasWildcards = !wildcards.isEmpty();
        this.anyHost = any.build();
    }

    @Override
    public Route find(String host, String path, String method, HttpHeaders headers) {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(headers, "headers");
        host = toLowerCase(host);
        Route best = null;
        PathIndex exact = exactHosts.get(host);
        if (exact != null) {
            best = exact.find(path, method, headers, null);
        }
        if (hasWildcards) {
            best = findWildcard(host, path, method, headers, best);
        }
        return anyHost.find(path, method, headers, best);
    }

    /**
     * Probes every suffix of {@code host} that follows a dot, hashing right to left: {@code hash} is the
     * {@link String#hashCode()} of {@code host.substring(start)}. The label before the dot must be non-empty, so
     * {@code *.example.com} matches neither {@code example.com} nor {@code .example.com}.
     */
    private Route findWildcard(String host, String path, String method, HttpHeaders headers, Route best) {
        int n = host.length();
        int hash = 0;
        int power = 1;
        for (int start = n - 1; start >= 2; start--) {
            hash += host.charAt(start) * power;
            power *= 31;
            if (host.charAt(start - 1) == '.') {
                PathIndex index = wildcardHosts.get(host, start, n - start, hash);
                if (index != null) {
                    best = index.find(path, method, headers, best);
                }
            }
        }
        return best;
    }

    private static StringTable<PathIndex> build(Map<String, PathIndex.Builder> builders) {
        Map<String, PathIndex> indexes = new HashMap<>();
        builders.forEach((key, builder) -> indexes.put(key, builder.build()));
        return new StringTable<>(indexes);
    }

    /** Callers pass lower-case hosts; this only allocates when one does not. */
    private static String toLowerCase(String host) {
        for (int i = 0, n = host.length(); i < n; i++) {
            char c = host.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                return host.toLowerCase(Locale.ROOT);
            }
        }
        return host;
    }

    private static String normalizeHost(String where, String host) {
        if (host == null) {
            throw new IllegalArgumentException(where + ": must not be null");
        }
        String h = host.toLowerCase(Locale.ROOT);
        int star = h.indexOf('*');
        boolean validWildcard = h.equals("*") || (star == 0 && h.length() > 2 && h.charAt(1) == '.'
                && h.indexOf('*', 1) < 0);
        if (star >= 0 && !validWildcard) {
            throw new IllegalArgumentException(
                    where + ": '" + host + "' is not a valid wildcard; only a leading '*.' label (or '*') is allowed");
        }
        return h;
    }
}
