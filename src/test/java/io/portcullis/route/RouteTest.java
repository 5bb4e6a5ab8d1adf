package io.portcullis.route;

import static io.portcullis.route.Routes.exact;
import static io.portcullis.route.Routes.prefix;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.config.RouteConfig;
import io.portcullis.config.RouteConfig.Match;
import io.portcullis.config.RouteConfig.Rewrite;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteTest {

    private static Route compile(Match match, Rewrite rewrite) {
        return new Route(new RouteConfig("r", match, "backend", rewrite, Duration.ofMillis(2500), null), 3);
    }

    @Test
    void exposesConfigValues() {
        RouteConfig config = new RouteConfig("users", exact("/u"), "users-cluster", new Rewrite(null, "users.internal"),
                Duration.ofSeconds(2), 1024L);
        Route route = new Route(config, 7);
        assertThat(route.name()).isEqualTo("users");
        assertThat(route.cluster()).isEqualTo("users-cluster");
        assertThat(route.config()).isSameAs(config);
        assertThat(route.order()).isEqualTo(7);
        assertThat(route.hostRewrite()).isEqualTo("users.internal");
        assertThat(route.timeoutMillis()).isEqualTo(2000);
        assertThat(route.maxBodySize()).isEqualTo(1024);
    }

    @Test
    void defaultsMeanKeepHostAndListenerBodyLimit() {
        Route route = compile(exact("/u"), Rewrite.NONE);
        assertThat(route.hostRewrite()).isNull();
        assertThat(route.maxBodySize()).isEqualTo(-1);
        assertThat(route.timeoutMillis()).isEqualTo(2500);
    }

    @Test
    void noRewriteReturnsTheSameInstance() {
        String target = new String("/api/users?x=1");
        assertThat(compile(prefix("/api"), Rewrite.NONE).rewritePath(target)).isSameAs(target);
    }

    @ParameterizedTest(name = "{0} -> {1}: {2} => {3}")
    @CsvSource(delimiter = '|', emptyValue = "", value = {
        "/api   | /internal  | /api/users?x=1   | /internal/users?x=1",
        "/api   | /internal  | /api             | /internal",
        "/api   | /internal  | /api?x=1         | /internal?x=1",
        "/api   | /internal  | /apix            | /internalx",
        "/api/  | /          | /api/users       | /users",
        "/api   | /          | /api/users       | /users",
        "/api   | /          | /api             | /",
        "/api   | /          | /api?q           | /?q",
        "/api/  | /v2        | /api/users       | /v2/users",
        "/api/  | /v2        | /api/            | /v2/",
        "/api/  | /v2/       | /api/users       | /v2/users",
        "/api   | /v2/       | /api/users       | /v2/users",
        "/api   | ''         | /api/users       | /users",
        "/api   | ''         | /api             | /",
        "/api   | ''         | /api?x           | /?x",
        "''     | /base      | /users           | /base/users",
        "/      | /base/     | /users           | /base/users",
    })
    void prefixRewrite(String from, String to, String input, String expected) {
        assertThat(compile(prefix(from), new Rewrite(to, null)).rewritePath(input)).isEqualTo(expected);
    }

    @Test
    void inputNotStartingWithThePrefixIsKept() {
        String target = "/other";
        assertThat(compile(prefix("/api"), new Rewrite("/x", null)).rewritePath(target)).isSameAs(target);
    }

    @Test
    void prefixRewriteRequiresAPrefixMatchAndALeadingSlash() {
        assertThatThrownBy(() -> compile(exact("/api"), new Rewrite("/x", null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("route 'r'").hasMessageContaining("rewrite.prefix");
        assertThatThrownBy(() -> compile(prefix("/api"), new Rewrite("x", null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be empty or start with '/'");
    }
}
