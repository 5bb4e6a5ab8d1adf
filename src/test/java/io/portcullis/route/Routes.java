package io.portcullis.route;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.portcullis.config.RouteConfig;
import io.portcullis.config.RouteConfig.HeaderMatch;
import io.portcullis.config.RouteConfig.Match;
import io.portcullis.config.RouteConfig.Rewrite;
import java.util.List;

/** Terse RouteConfig construction for route tests; everything goes through the records' own constructors. */
final class Routes {

    private Routes() {
    }

    static RouteConfig route(String name, Match match) {
        return new RouteConfig(name, match, "cluster-" + name, Rewrite.NONE, RouteConfig.DEFAULT_TIMEOUT, null);
    }

    static Match any() {
        return new Match(List.of(), null, null, null, List.of(), List.of());
    }

    static Match exact(String path) {
        return new Match(List.of(), path, null, null, List.of(), List.of());
    }

    static Match prefix(String prefix) {
        return new Match(List.of(), null, prefix, null, List.of(), List.of());
    }

    static Match regex(String regex) {
        return new Match(List.of(), null, null, regex, List.of(), List.of());
    }

    static Match hosts(Match m, String... hosts) {
        return new Match(List.of(hosts), m.path(), m.pathPrefix(), m.pathRegex(), m.methods(), m.headers());
    }

    static Match methods(Match m, String... methods) {
        return new Match(m.hosts(), m.path(), m.pathPrefix(), m.pathRegex(), List.of(methods), m.headers());
    }

    static Match headers(Match m, HeaderMatch... headers) {
        return new Match(m.hosts(), m.path(), m.pathPrefix(), m.pathRegex(), m.methods(), List.of(headers));
    }

    static HttpHeaders httpHeaders(String... namesAndValues) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            h.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return h;
    }
}
