package io.portcullis.route;

import io.netty.handler.codec.http.HttpHeaders;
import io.portcullis.config.RouteConfig;
import java.util.List;

/**
 * Chooses the route for a request; immutable, thread-safe, built once per config snapshot.
 *
 * <p>Sits between {@code server}, which decodes the request head and calls {@link #find}, and {@code filter}, which
 * runs the chosen route's chain towards its cluster. A reload builds a new router off the event loop and publishes it
 * with the rest of the snapshot; each request captures one router and uses it to the end.
 */
public interface Router {

    /**
     * @param host    lower-case, without port (may be empty)
     * @param path    the request path, excluding the query
     * @param method  upper-case method name
     * @param headers request headers
     * @return the first route (in config order) whose match accepts the request, or null
     */
    Route find(String host, String path, String method, HttpHeaders headers);

    /**
     * Compiles {@code routes} into an indexed router.
     *
     * @throws IllegalArgumentException naming the route and field when a route cannot be compiled (bad regex, more
     *                                  than one path kind, malformed wildcard host, ...)
     */
    static Router of(List<RouteConfig> routes) {
        return new DefaultRouter(routes);
    }
}
