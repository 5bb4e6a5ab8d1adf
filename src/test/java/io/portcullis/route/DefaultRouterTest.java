package io.portcullis.route;

import static io.portcullis.route.Routes.any;
import static io.portcullis.route.Routes.exact;
import static io.portcullis.route.Routes.headers;
import static io.portcullis.route.Routes.hosts;
import static io.portcullis.route.Routes.httpHeaders;
import static io.portcullis.route.Routes.methods;
import static io.portcullis.route.Routes.prefix;
import static io.portcullis.route.Routes.regex;
import static io.portcullis.route.Routes.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.portcullis.config.RouteConfig;
import io.portcullis.config.RouteConfig.HeaderMatch;
import io.portcullis.config.RouteConfig.Match;
import java.util.List;
import org.junit.jupiter.api.Test;

class DefaultRouterTest {

    private static final HttpHeaders NO_HEADERS = EmptyHttpHeaders.INSTANCE;

    private static String find(Router router, String host, String path) {
        return find(router, host, path, "GET", NO_HEADERS);
    }

    private static String find(Router router, String host, String path, String method, HttpHeaders headers) {
        Route route = router.find(host, path, method, headers);
        return route == null ? null : route.name();
    }

    private static Router router(RouteConfig... routes) {
        return Router.of(List.of(routes));
    }

    @Test
    void emptyConfigMatchesNothing() {
        assertThat(Router.of(List.of()).find("a.com", "/", "GET", NO_HEADERS)).isNull();
    }

    @Test
    void exactPathMatchesOnlyThatPath() {
        Router r = router(route("x", exact("/health")));
        assertThat(find(r, "h", "/health")).isEqualTo("x");
        assertThat(find(r, "h", "/health/")).isNull();
        assertThat(find(r, "h", "/healthz")).isNull();
        assertThat(find(r, "h", "/")).isNull();
    }

    @Test
    void prefixIsAPlainStringPrefixLikeEnvoy() {
        Router r = router(route("api", prefix("/api")));
        assertThat(find(r, "h", "/api")).isEqualTo("api");
        assertThat(find(r, "h", "/api/x")).isEqualTo("api");
        assertThat(find(r, "h", "/apix")).isEqualTo("api");
        assertThat(find(r, "h", "/ap")).isNull();
        assertThat(find(r, "h", "/v1/api")).isNull();
    }

    @Test
    void prefixWithTrailingSlashRequiresASegmentBoundary() {
        Router r = router(route("api", prefix("/api/")));
        assertThat(find(r, "h", "/api/x")).isEqualTo("api");
        assertThat(find(r, "h", "/api")).isNull();
        assertThat(find(r, "h", "/apix")).isNull();
    }

    @Test
    void regexMustMatchTheWholePath() {
        Router r = router(route("item", regex("/items/[0-9]+")));
        assertThat(find(r, "h", "/items/42")).isEqualTo("item");
        assertThat(find(r, "h", "/items/42/x")).isNull();
        assertThat(find(r, "h", "/v1/items/42")).isNull();
    }

    @Test
    void routeWithoutPathConditionMatchesEveryPath() {
        Router r = router(route("all", any()));
        assertThat(find(r, "", "/")).isEqualTo("all");
        assertThat(find(r, "x.y", "/a/b?c")).isEqualTo("all");
        assertThat(find(r, "", "")).isEqualTo("all");
    }

    @Test
    void exactHostsAreCaseInsensitive() {
        Router r = router(route("a", hosts(any(), "API.Example.COM")));
        assertThat(find(r, "api.example.com", "/")).isEqualTo("a");
        assertThat(find(r, "Api.EXAMPLE.com", "/")).isEqualTo("a");
        assertThat(find(r, "example.com", "/")).isNull();
        assertThat(find(r, "xapi.example.com", "/")).isNull();
        assertThat(find(r, "", "/")).isNull();
    }

    @Test
    void wildcardCoversOneOrMoreLabelsButNotTheBareDomain() {
        Router r = router(route("w", hosts(any(), "*.Example.com")));
        assertThat(find(r, "a.example.com", "/")).isEqualTo("w");
        assertThat(find(r, "a.b.example.com", "/")).isEqualTo("w");
        assertThat(find(r, "A.EXAMPLE.COM", "/")).isEqualTo("w");
        assertThat(find(r, "example.com", "/")).isNull();
        assertThat(find(r, ".example.com", "/")).isNull();
        assertThat(find(r, "aexample.com", "/")).isNull();
        assertThat(find(r, "example.com.evil.org", "/")).isNull();
        assertThat(find(r, "com", "/")).isNull();
        assertThat(find(r, "", "/")).isNull();
    }

    @Test
    void nestedWildcardsAndExactHostAllCompeteByOrder() {
        Router r = router(
                route("wide", hosts(prefix("/wide"), "*.example.com")),
                route("narrow", hosts(any(), "*.b.example.com")),
                route("exact", hosts(any(), "a.b.example.com")),
                route("fallback", hosts(any(), "*.example.com")));
        assertThat(find(r, "a.b.example.com", "/wide/1")).isEqualTo("wide");
        assertThat(find(r, "a.b.example.com", "/x")).isEqualTo("narrow");
        assertThat(find(r, "b.example.com", "/x")).isEqualTo("fallback");
        assertThat(find(r, "c.example.com", "/x")).isEqualTo("fallback");
    }

    @Test
    void starAloneMeansAnyHost() {
        Router r = router(route("star", hosts(exact("/s"), "*")));
        assertThat(find(r, "anything.org", "/s")).isEqualTo("star");
        assertThat(find(r, "", "/s")).isEqualTo("star");
    }

    @Test
    void routeWithSeveralHostsMatchesEach() {
        Router r = router(route("multi", hosts(any(), "a.com", "*.b.com", "A.com")));
        assertThat(find(r, "a.com", "/")).isEqualTo("multi");
        assertThat(find(r, "x.b.com", "/")).isEqualTo("multi");
        assertThat(find(r, "b.com", "/")).isNull();
    }

    @Test
    void earlierPrefixRouteBeatsLaterExactRoute() {
        Router r = router(
                route("prefix", prefix("/api")),
                route("exact", exact("/api/users")),
                route("regex", regex("/api/.*")));
        assertThat(find(r, "h", "/api/users")).isEqualTo("prefix");
    }

    @Test
    void earlierRegexRouteBeatsLaterExactAndPrefixRoutes() {
        Router r = router(
                route("regex", regex("/api/u.*")),
                route("exact", exact("/api/users")),
                route("prefix", prefix("/api")));
        assertThat(find(r, "h", "/api/users")).isEqualTo("regex");
        assertThat(find(r, "h", "/api/x")).isEqualTo("prefix");
    }

    @Test
    void shorterEarlierPrefixBeatsLongerLaterPrefix() {
        Router r = router(
                route("short", prefix("/a")),
                route("long", prefix("/a/b/c")));
        assertThat(find(r, "h", "/a/b/c/d")).isEqualTo("short");
    }

    @Test
    void earlierAnyHostRouteBeatsLaterExactHostRoute() {
        Router r = router(
                route("any", prefix("/")),
                route("host", hosts(prefix("/"), "a.com")));
        assertThat(find(r, "a.com", "/x")).isEqualTo("any");
    }

    @Test
    void laterRouteWinsWhenEarlierOneRejectsMethodOrHeaders() {
        Router r = router(
                route("post", methods(prefix("/api"), "POST", "PUT")),
                route("v2", headers(prefix("/api"), new HeaderMatch("x-version", "2", null, null))),
                route("rest", prefix("/api")));
        assertThat(find(r, "h", "/api/x", "POST", NO_HEADERS)).isEqualTo("post");
        assertThat(find(r, "h", "/api/x", "PUT", NO_HEADERS)).isEqualTo("post");
        assertThat(find(r, "h", "/api/x", "GET", httpHeaders("X-Version", "2"))).isEqualTo("v2");
        assertThat(find(r, "h", "/api/x", "GET", NO_HEADERS)).isEqualTo("rest");
    }

    @Test
    void routesSharingAnExactPathAreTriedInOrder() {
        Router r = router(
                route("delete", methods(exact("/r"), "DELETE")),
                route("get", methods(exact("/r"), "GET")),
                route("other", exact("/r")));
        assertThat(find(r, "h", "/r", "GET", NO_HEADERS)).isEqualTo("get");
        assertThat(find(r, "h", "/r", "PATCH", NO_HEADERS)).isEqualTo("other");
    }

    @Test
    void methodsAreCaseSensitiveOnTheRequestSideAndNormalizedInConfig() {
        Router r = router(route("m", methods(any(), "get")));
        assertThat(find(r, "h", "/", "GET", NO_HEADERS)).isEqualTo("m");
        assertThat(find(r, "h", "/", "POST", NO_HEADERS)).isNull();
    }

    @Test
    void exactHeaderMatchesAnyValueOfARepeatedHeader() {
        Router r = router(route("h", headers(any(), new HeaderMatch("X-Tenant", "blue", null, null))));
        assertThat(find(r, "h", "/", "GET", httpHeaders("x-tenant", "red", "x-tenant", "blue"))).isEqualTo("h");
        assertThat(find(r, "h", "/", "GET", httpHeaders("x-tenant", "Blue"))).isNull();
        assertThat(find(r, "h", "/", "GET", httpHeaders("x-tenant", "red,blue"))).isNull();
        assertThat(find(r, "h", "/", "GET", NO_HEADERS)).isNull();
    }

    @Test
    void regexHeaderMustMatchAWholeValue() {
        Router r = router(route("h", headers(any(), new HeaderMatch("user-agent", null, "curl/.*", null))));
        assertThat(find(r, "h", "/", "GET", httpHeaders("User-Agent", "curl/8.5"))).isEqualTo("h");
        assertThat(find(r, "h", "/", "GET", httpHeaders("user-agent", "x", "user-agent", "curl/1"))).isEqualTo("h");
        assertThat(find(r, "h", "/", "GET", httpHeaders("user-agent", "my curl/8"))).isNull();
        assertThat(find(r, "h", "/", "GET", NO_HEADERS)).isNull();
    }

    @Test
    void presentAndAbsentHeaders() {
        Router r = router(
                route("with-auth", headers(any(), new HeaderMatch("authorization", null, null, true))),
                route("no-cookie", headers(any(), new HeaderMatch("cookie", null, null, false))));
        assertThat(find(r, "h", "/", "GET", httpHeaders("Authorization", ""))).isEqualTo("with-auth");
        assertThat(find(r, "h", "/", "GET", NO_HEADERS)).isEqualTo("no-cookie");
        assertThat(find(r, "h", "/", "GET", httpHeaders("cookie", "a=b"))).isNull();
    }

    @Test
    void allHeaderConditionsMustHold() {
        Router r = router(route("both", headers(any(),
                new HeaderMatch("a", "1", null, null), new HeaderMatch("b", null, null, true))));
        assertThat(find(r, "h", "/", "GET", httpHeaders("a", "1", "b", "x"))).isEqualTo("both");
        assertThat(find(r, "h", "/", "GET", httpHeaders("a", "1"))).isNull();
    }

    @Test
    void orderIsTheIndexInTheConfigList() {
        Router r = router(route("a", exact("/a")), route("b", exact("/b")));
        assertThat(r.find("h", "/b", "GET", NO_HEADERS).order()).isEqualTo(1);
    }

    @Test
    void rejectsInvalidConfigWithNamedMessages() {
        Match twoPaths = new Match(List.of(), "/a", "/b", null, List.of(), List.of());
        assertThatThrownBy(() -> router(route("r1", twoPaths)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("route 'r1'").hasMessageContaining("at most one of path");
        assertThatThrownBy(() -> router(route("r2", regex("/(unclosed"))))
                .hasMessageContaining("route 'r2' path_regex");
        assertThatThrownBy(() -> router(route("r3", hosts(any(), "a.com", "api*.com"))))
                .hasMessageContaining("route 'r3' hosts[1]");
        assertThatThrownBy(() -> router(route("r4", headers(any(), new HeaderMatch("x", "1", "2", null)))))
                .hasMessageContaining("route 'r4' headers[0]").hasMessageContaining("exactly one");
        assertThatThrownBy(() -> router(route("r5", headers(any(), new HeaderMatch("x", null, "[", null)))))
                .hasMessageContaining("route 'r5' headers[0].regex");
    }
}
