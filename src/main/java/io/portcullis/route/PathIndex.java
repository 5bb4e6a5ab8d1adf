package io.portcullis.route;

import io.netty.handler.codec.http.HttpHeaders;
import io.portcullis.config.RouteConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The routes of one host bucket, indexed by path: exact paths and non-empty prefixes in {@link StringTable}s, routes
 * without a path condition (or with the empty prefix) in one list, regex routes in a list tried one by one. A lookup
 * scans the path once, computing the hash of each of its prefixes as it goes, and probes the prefix table only at
 * lengths some configured prefix has. Every candidate list is sorted by {@link Route#order()}, so a search stops at
 * the first candidate that matches or that cannot beat the best route found so far.
 */
final class PathIndex {

    private final int minOrder;
    private final Route[] anyPath;
    private final StringTable<Route[]> exact;
    private final StringTable<Route[]> prefixes;
    /** {@code prefixLengths[n]} is true when some prefix has length n; its length bounds the scan. */
    private final boolean[] prefixLengths;
    private final Route[] regex;

    private PathIndex(int minOrder, Route[] anyPath, StringTable<Route[]> exact, StringTable<Route[]> prefixes,
                      boolean[] prefixLengths, Route[] regex) {
        this.minOrder = minOrder;
        this.anyPath = anyPath;
        this.exact = exact;
        this.prefixes = prefixes;
        this.prefixLengths = prefixLengths;
        this.regex = regex;
    }

    /**
     * @param best the best route found so far in other host buckets, or null
     * @return the lowest-order route of this bucket that accepts the request and precedes {@code best}, else
     *         {@code best}
     */
    Route find(String path, String method, HttpHeaders headers, Route best) {
        if (best != null && best.order() <= minOrder) {
            return best;
        }
        best = first(anyPath, path, method, headers, best);
        int scan = Math.min(path.length(), prefixLengths.length - 1);
        int hash = 0;
        for (int i = 0; i < scan; ) {
            hash = 31 * hash + path.charAt(i++);
            if (prefixLengths[i]) {
                Route[] candidates = prefixes.get(path, 0, i, hash);
                if (candidates != null) {
                    best = first(candidates, path, method, headers, best);
                }
            }
        }
        Route[] candidates = exact.get(path);
        if (candidates != null) {
            best = first(candidates, path, method, headers, best);
        }
        // Regex routes cannot be indexed: this loop is linear in the bucket's regex routes.
        return first(regex, path, method, headers, best);
    }

    private static Route first(Route[] candidates, String path, String method, HttpHeaders headers, Route best) {
        int bound = best == null ? Integer.MAX_VALUE : best.order();
        for (Route candidate : candidates) {
            if (candidate.order() >= bound) {
                return best;
            }
            if (candidate.accepts(path, method, headers)) {
                return candidate;
            }
        }
        return best;
    }

    /** Routes must be added in increasing order; that keeps every candidate list sorted. */
    static final class Builder {
        private final List<Route> anyPath = new ArrayList<>();
        private final Map<String, List<Route>> exact = new HashMap<>();
        private final Map<String, List<Route>> prefixes = new HashMap<>();
        private final List<Route> regex = new ArrayList<>();
        private int minOrder = Integer.MAX_VALUE;

        Builder add(Route route) {
            RouteConfig.Match match = route.config().match();
            if (match.path() != null) {
                exact.computeIfAbsent(match.path(), p -> new ArrayList<>()).add(route);
            } else if (route.isRegex()) {
                regex.add(route);
            } else if (match.pathPrefix() == null || match.pathPrefix().isEmpty()) {
                anyPath.add(route);
            } else {
                prefixes.computeIfAbsent(match.pathPrefix(), p -> new ArrayList<>()).add(route);
            }
            minOrder = Math.min(minOrder, route.order());
            return this;
        }

        PathIndex build() {
            int longest = 0;
            for (String prefix : prefixes.keySet()) {
                longest = Math.max(longest, prefix.length());
            }
            boolean[] lengths = new boolean[longest + 1];
            for (String prefix : prefixes.keySet()) {
                lengths[prefix.length()] = true;
            }
            return new PathIndex(minOrder, anyPath.toArray(Route[]::new), table(exact), table(prefixes), lengths,
                    regex.toArray(Route[]::new));
        }

        private static StringTable<Route[]> table(Map<String, List<Route>> lists) {
            Map<String, Route[]> arrays = new HashMap<>();
            lists.forEach((key, routes) -> arrays.put(key, routes.toArray(Route[]::new)));
            return new StringTable<>(arrays);
        }
    }
}
