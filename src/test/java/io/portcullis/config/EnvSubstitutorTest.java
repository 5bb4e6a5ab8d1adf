package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code ${VAR}} substitution on a located tree, independent of the schema. */
class EnvSubstitutorTest {

    private final List<ConfigError> errors = new ArrayList<>();

    private JsonNode substitute(String yaml, Map<String, String> env) {
        SourceTree tree = TreeReader.read(yaml, "env.yaml", errors);
        assertThat(errors).as("test input must parse").isEmpty();
        return new EnvSubstitutor(env::get).substitute(tree, errors);
    }

    @Test
    void wholeExpressionIsRetypedAsAYamlScalar() {
        JsonNode root = substitute("port: ${P}\non: ${ON}\nhost: ${H}\n", Map.of("P", "8080", "ON", "true", "H", "x"));

        assertThat(root.get("port").isInt()).isTrue();
        assertThat(root.get("port").intValue()).isEqualTo(8080);
        assertThat(root.get("on").isBoolean()).isTrue();
        assertThat(root.get("host").textValue()).isEqualTo("x");
        assertThat(errors).isEmpty();
    }

    @Test
    void quotedOrEmbeddedExpressionStaysAString() {
        JsonNode root = substitute("a: \"${P}\"\nb: '${P}'\nc: x${P}\n", Map.of("P", "8080"));

        assertThat(root.get("a").textValue()).isEqualTo("8080");
        assertThat(root.get("b").textValue()).isEqualTo("8080");
        assertThat(root.get("c").textValue()).isEqualTo("x8080");
    }

    @Test
    void defaultAppliesWhenUnsetOrEmpty() {
        JsonNode root = substitute("a: ${A:-one}\nb: ${B:-two}\nc: ${C:-}\nd: ${D:-x:-y}\n", Map.of("A", "", "B", "set"));

        assertThat(root.get("a").textValue()).isEqualTo("one");
        assertThat(root.get("b").textValue()).isEqualTo("set");
        assertThat(root.get("c").textValue()).isEmpty();
        assertThat(root.get("d").textValue()).isEqualTo("x:-y");
    }

    @Test
    void doubleDollarWritesALiteralExpression() {
        JsonNode root = substitute("a: $${A} and ${A}\nb: cost $5\n", Map.of("A", "1"));

        assertThat(root.get("a").textValue()).isEqualTo("${A} and 1");
        assertThat(root.get("b").textValue()).isEqualTo("cost $5");
    }

    @Test
    void substitutesInsideListsAndNestedMappings() {
        JsonNode root = substitute("x:\n  - { y: \"h:${P}\" }\n", Map.of("P", "1"));

        assertThat(root.at("/x/0/y").textValue()).isEqualTo("h:1");
    }

    @Test
    void unsetVariableWithoutDefaultIsAnErrorAtItsLine() {
        JsonNode root = substitute("ok: 1\nlisteners:\n  - address: h:${MISSING}\n", Map.of());

        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.line()).isEqualTo(3);
            assertThat(e.column()).isEqualTo(14);
            assertThat(e.path()).isEqualTo("/listeners/0/address");
            assertThat(e.message()).contains("MISSING is not set", "${MISSING:-default}");
        });
        assertThat(root.at("/listeners/0/address").textValue()).isEqualTo("h:${MISSING}");
    }

    @Test
    void malformedExpressionsAreErrors() {
        substitute("a: ${UNCLOSED\nb: ${1BAD}\n", Map.of());

        assertThat(errors).extracting(ConfigError::line).containsExactly(1, 2);
        assertThat(errors.get(0).message()).contains("unterminated");
        assertThat(errors.get(1).message()).contains("invalid variable name '1BAD'");
    }
}
