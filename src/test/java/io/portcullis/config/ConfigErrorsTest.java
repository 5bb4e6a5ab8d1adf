package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.groups.Tuple.tuple;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A file with many mistakes reports all of them at once, each at the right line and column. */
class ConfigErrorsTest {

    private final ConfigLoader loader = new ConfigLoader(Map.of("PORT", "8080")::get);

    private ConfigException failure(String text, String source) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.parse(text, source));
        assertThat(e).as("expected the configuration to be rejected").isNotNull();
        return e;
    }

    private List<ConfigError> errors(String yaml) {
        return failure(yaml, "bad.yaml").errors();
    }

    @Test
    void reportsEveryMistakeWithItsPosition() {
        String yaml = """
                server:
                  drain_timeout: 30 seconds
                listeners:
                  - name: public
                    address: 127.0.0.1:${PORT}
                  - name: public
                    address: 127.0.0.1:${ADMIN_PORT}
                routes:
                  - name: api
                    match:
                      pth_prefix: /api
                    cluster: backend
                  - name: bad-regex
                    match: { path_regex: "^/v[0-9+/.*" }
                    cluster: nowhere
                clusters:
                  - name: backend
                    endpoints: [ "127.0.0.1:9000" ]
                  - name: backend
                    endpoints: [ "127.0.0.1:9001" ]
                """;
        List<ConfigError> errors = errors(yaml);

        assertThat(errors).extracting(ConfigError::line, ConfigError::column, ConfigError::path).containsExactly(
                tuple(2, 18, "/server/drain_timeout"),
                tuple(6, 11, "/listeners/1/name"),
                tuple(7, 14, "/listeners/1/address"),
                tuple(11, 7, "/routes/0/match/pth_prefix"),
                tuple(14, 26, "/routes/1/match/path_regex"),
                tuple(15, 14, "/routes/1/cluster"),
                tuple(19, 11, "/clusters/1/name"));
        assertThat(errors).extracting(ConfigError::message).satisfiesExactly(
                m -> assertThat(m).contains("expected a duration", "'30 seconds'"),
                m -> assertThat(m).isEqualTo("duplicate listener name 'public'; already used at line 4"),
                m -> assertThat(m).contains("ADMIN_PORT is not set"),
                m -> assertThat(m).contains("unknown property 'pth_prefix'", "path_prefix", "path_regex"),
                m -> assertThat(m).contains("invalid regex", "Unclosed character class"),
                m -> assertThat(m).isEqualTo("unknown cluster 'nowhere'; defined clusters: backend"),
                m -> assertThat(m).isEqualTo("duplicate cluster name 'backend'; already used at line 17"));
    }

    @Test
    void messageListsEveryErrorOnItsOwnLineInCompilerFormat() {
        ConfigException e = failure("""
                listeners: [ { name: a, address: "nope" } ]
                routes: []
                clusters: []
                extra: 1
                """, "x.yaml");

        assertThat(e.getMessage().lines()).containsExactly(
                "x.yaml:1:34: /listeners/0/address: missing port; expected host:port or [ipv6]:port with port"
                        + " 0..65535, was 'nope'",
                "x.yaml:4:1: /extra: unknown property 'extra'; expected one of: server, access_log, admin, listeners,"
                        + " routes, clusters, security, redis, rate_limits, anomaly_detection, overload");
    }

    @Test
    void missingPropertyIsReportedAtItsParentObject() {
        List<ConfigError> errors = errors("""
                listeners: []
                routes:
                  - name: r
                    match: {}
                clusters: []
                """);

        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.path()).isEqualTo("/routes/0/cluster");
            assertThat(e.message()).isEqualTo("missing required property 'cluster'");
            assertThat(e.line()).isEqualTo(3);
            assertThat(e.column()).isEqualTo(5);
        });
    }

    @Test
    void missingTopLevelSectionIsReportedAtTheRoot() {
        assertThat(errors("listeners: []\nroutes: []\n"))
                .singleElement()
                .satisfies(e -> assertThat(e.toString()).isEqualTo(
                        "bad.yaml:1:1: /clusters: missing required property 'clusters'"));
    }

    @Test
    void wrongTypeNamesExpectedAndActual() {
        List<ConfigError> errors = errors("""
                server: { event_loops: many }
                listeners: []
                routes: []
                clusters: []
                """);

        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.path()).isEqualTo("/server/event_loops");
            assertThat(e.message()).isEqualTo("expected integer, was 'many'");
            assertThat(e.line()).isEqualTo(1);
            assertThat(e.column()).isEqualTo(24);
        });
    }

    @Test
    void schemaExplainsDurationAndSizeFormats() {
        List<ConfigError> errors = errors("""
                listeners:
                  - name: a
                    address: "h:0"
                    idle_timeout: -5
                    limits: { max_body_size: 10 MiB }
                routes: []
                clusters: []
                """);

        assertThat(errors).extracting(ConfigError::line, ConfigError::message).containsExactly(
                tuple(4, "expected a duration such as 250ms, 15s, 2m, 1h or an integer number of milliseconds,"
                        + " was integer -5"),
                tuple(5, "expected a size such as 512, 8KiB, 10MiB, 1GiB (or KB, MB, GB for powers of 1000),"
                        + " was '10 MiB'"));
    }

    @Test
    void yamlSyntaxErrorHasPosition() {
        List<ConfigError> errors = errors("""
                listeners:
                  - name: a
                   address: b: c
                """);

        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.message()).startsWith("invalid YAML:");
            assertThat(e.line()).isEqualTo(3);
        });
    }

    @Test
    void duplicateKeysAreRejected() {
        List<ConfigError> errors = errors("""
                listeners: []
                routes: []
                clusters: []
                routes: []
                """);

        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.path()).isEqualTo("/routes");
            assertThat(e.message()).contains("duplicate key 'routes'");
            assertThat(e.line()).isEqualTo(4);
        });
    }

    @Test
    void jsonErrorsHavePositionsToo() {
        String json = """
                {
                  "listeners": [],
                  "routes": [ { "name": "r", "match": {}, "cluster": "c", "timeout": true } ],
                  "clusters": [ { "name": "c", "endpoints": [ "h:0" ] } ]
                }
                """;
        List<ConfigError> errors = failure(json, "bad.json").errors();

        assertThat(errors).extracting(ConfigError::line, ConfigError::column, ConfigError::path).containsExactly(
                tuple(3, 70, "/routes/0/timeout"),
                tuple(4, 47, "/clusters/0/endpoints/0"));
    }

    @Test
    void emptyDocumentIsAnError() {
        assertThat(errors("# nothing here\n")).singleElement()
                .satisfies(e -> assertThat(e.message()).startsWith("configuration is empty"));
    }
}
