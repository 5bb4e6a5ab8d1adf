package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.groups.Tuple.tuple;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Checks beyond the schema, each reported at the node it concerns; driven through the loader. */
class SemanticValidatorTest {

    private static final String CLUSTERS = """
            clusters:
              - name: backend
                endpoints: [ "127.0.0.1:9000" ]
            """;

    private static List<ConfigError> errors(String yaml) {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> new ConfigLoader(name -> null).parse(yaml, "s.yaml"));
        assertThat(e).as("expected the configuration to be rejected").isNotNull();
        return e.errors();
    }

    private static List<ConfigError> routeErrors(String match) {
        return errors("listeners: []\nroutes:\n  - name: r\n    cluster: backend\n    match: " + match + "\n" + CLUSTERS);
    }

    @Test
    void atMostOnePathKind() {
        assertThat(routeErrors("{ path: /a, path_regex: x }")).singleElement().satisfies(e -> {
            assertThat(e.path()).isEqualTo("/routes/0/match");
            assertThat(e.message()).isEqualTo("at most one of path, path_prefix, path_regex may be set, found path,"
                    + " path_regex");
            assertThat(e.line()).isEqualTo(5);
        });
    }

    @Test
    void pathsMustStartWithSlash() {
        assertThat(routeErrors("{ path_prefix: api }")).singleElement()
                .satisfies(e -> assertThat(e.message()).isEqualTo("path_prefix must start with '/', was 'api'"));
        assertThat(routeErrors("{ path: api }")).singleElement()
                .satisfies(e -> assertThat(e.path()).isEqualTo("/routes/0/match/path"));
    }

    @Test
    void headerMatchNeedsExactlyOneConditionAndAValidRegex() {
        List<ConfigError> errors = routeErrors(
                "{ headers: [ { name: a }, { name: b, exact: x, present: true }, { name: c, regex: \"(\" } ] }");

        assertThat(errors).extracting(ConfigError::path, ConfigError::message).containsExactly(
                tuple("/routes/0/match/headers/0", "header match must set exactly one of exact, regex, present; found 0"),
                tuple("/routes/0/match/headers/1", "header match must set exactly one of exact, regex, present; found 2"),
                tuple("/routes/0/match/headers/2/regex", "invalid regex '(': Unclosed group near index 1"));
    }

    @Test
    void methodsMustBeTokens() {
        assertThat(routeErrors("{ methods: [ GET, \"BAD METHOD\" ] }")).singleElement().satisfies(e -> {
            assertThat(e.path()).isEqualTo("/routes/0/match/methods/1");
            assertThat(e.message()).contains("'BAD METHOD' is not an HTTP method");
        });
    }

    @Test
    void hostsAreNamesOrLeadingWildcards() {
        assertThat(routeErrors("{ hosts: [ ok.example.com, \"*.ok.net\", \"a.*.com\" ] }")).singleElement()
                .satisfies(e -> assertThat(e.path()).isEqualTo("/routes/0/match/hosts/2"));
        assertThat(routeErrors("{ host: a.com, hosts: [ b.com ] }")).singleElement()
                .satisfies(e -> assertThat(e.message()).isEqualTo("set either host or hosts, not both"));
    }

    @Test
    void rewritePrefixRequiresPathPrefix() {
        List<ConfigError> errors = errors("""
                listeners: []
                routes:
                  - name: r
                    match: { path: /a }
                    cluster: backend
                    rewrite: { prefix: /b }
                """ + CLUSTERS);

        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.path()).isEqualTo("/routes/0/rewrite/prefix");
            assertThat(e.line()).isEqualTo(6);
            assertThat(e.message()).isEqualTo("rewrite.prefix is only allowed when match.path_prefix is set");
        });
    }

    @Test
    void listenerAddressesAreValidatedAndUnique() {
        List<ConfigError> errors = errors("""
                listeners:
                  - { name: a, address: "127.0.0.1:8080" }
                  - { name: b, address: "LOCALHOST:0" }
                  - { name: c, address: "localhost:0" }
                  - { name: d, address: "127.0.0.1:8080" }
                  - { name: e, address: "127.0.0.1:70000" }
                  - { name: f, address: "::1:80" }
                routes: []
                clusters: []
                """);

        assertThat(errors).extracting(ConfigError::line, ConfigError::message).containsExactly(
                tuple(5, "duplicate listener address '127.0.0.1:8080'; already used at line 2"),
                tuple(6, "port 70000 out of range; expected host:port or [ipv6]:port with port 0..65535, was"
                        + " '127.0.0.1:70000'"),
                tuple(7, "IPv6 addresses must be bracketed; expected host:port or [ipv6]:port with port 0..65535,"
                        + " was '::1:80'"));
    }

    @Test
    void endpointPortsStartAtOne() {
        List<ConfigError> errors = errors("""
                listeners: []
                routes: []
                clusters:
                  - name: c
                    endpoints: [ "a:1", "b:0" ]
                """);

        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.path()).isEqualTo("/clusters/0/endpoints/1");
            assertThat(e.column()).isEqualTo(25);
            assertThat(e.message()).startsWith("port 0 out of range");
        });
    }

    @Test
    void duplicateRouteNames() {
        List<ConfigError> errors = errors("""
                listeners: []
                routes:
                  - { name: r, match: {}, cluster: backend }
                  - { name: r, match: {}, cluster: backend }
                """ + CLUSTERS);

        assertThat(errors).singleElement()
                .satisfies(e -> assertThat(e).hasToString("s.yaml:4:13: /routes/1/name: duplicate route name 'r';"
                        + " already used at line 3"));
    }

    @Test
    void headerLimitsMustFitAnInt() {
        List<ConfigError> errors = errors("""
                listeners:
                  - name: a
                    address: "h:0"
                    limits: { max_header_size: 2GiB, max_body_size: 8GiB }
                routes: []
                clusters: []
                """);

        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.path()).isEqualTo("/listeners/0/limits/max_header_size");
            assertThat(e.message()).isEqualTo("must be at most 2147483647 bytes, was 2GiB");
        });
    }
}
