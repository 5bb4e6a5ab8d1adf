/**
 * Matching requests to routes: the second step of the request path ({@code server} → <b>{@code route}</b> →
 * {@code filter} → {@code upstream}).
 *
 * <p>This package owns compiling the configured {@link io.portcullis.config.RouteConfig}s into an immutable
 * {@link io.portcullis.route.Router} (one per config snapshot) and choosing the {@link io.portcullis.route.Route} for a
 * request from its host, path, method and headers. It also owns the per-route request rewrites that follow directly
 * from the match (prefix and host rewrite). It depends only on {@code config} and Netty's header type; it never
 * imports {@code upstream}: a route names its cluster, and resolving that name is the next step's job.
 *
 * <p>Lookup cost does not grow with the number of routes, except for {@code path_regex} routes, which are tried
 * linearly within their host (see {@link io.portcullis.route.DefaultRouter}).
 */
package io.portcullis.route;
