package io.portcullis.security.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading fails early and names the file; references stay offline and inside the schema's directory. */
class BodySchemaTest {

    @TempDir
    Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();

    private Path write(String name, String text) throws Exception {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    private static List<Violation> validate(BodySchema schema, String body) throws Exception {
        return schema.validate(JSON.readTree(body), true);
    }

    @Test
    void loadsJsonAndYamlFiles() throws Exception {
        BodySchema json = BodySchema.fromFile(write("a.json", "{\"type\":\"object\",\"required\":[\"n\"]}"));
        BodySchema yaml = BodySchema.fromFile(write("b.yaml", "type: object\nrequired: [n]\n"));
        for (BodySchema schema : new BodySchema[] {json, yaml}) {
            assertThat(validate(schema, "{\"n\":1}")).isEmpty();
            assertThat(validate(schema, "{}")).containsExactly(new Violation("/n", "is required", "required"));
        }
        assertThat(json.source()).endsWith("a.json");
        assertThat(json.isNone()).isFalse();
        assertThat(BodySchema.none().isNone()).isTrue();
        assertThat(validate(BodySchema.none(), "[1]")).isEmpty();
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("nope.json");
        assertThatThrownBy(() -> BodySchema.fromFile(missing))
                .isInstanceOf(BodySchemaException.class)
                .hasMessage("JSON schema " + missing + ": file not found")
                .satisfies(e -> assertThat(((BodySchemaException) e).source()).isEqualTo(missing.toString()));
    }

    @Test
    void aFileThatIsNotJsonIsNamedWithItsLine() throws Exception {
        Path bad = write("bad.json", "{\n  \"type\": \"object\",\n  oops\n}");
        assertThatThrownBy(() -> BodySchema.fromFile(bad))
                .isInstanceOf(BodySchemaException.class)
                .hasMessageStartingWith("JSON schema " + bad + ": not valid JSON: ")
                .hasMessageContaining("line 3");
    }

    @Test
    void aSchemaThatBreaksItsMetaSchemaIsRefusedAtLoad() {
        assertThatThrownBy(() -> BodySchema.fromText("route orders", "{\"properties\":{\"n\":{\"type\":\"strin\"}}}"))
                .isInstanceOf(BodySchemaException.class)
                .hasMessageStartingWith("JSON schema route orders: not a valid "
                        + "https://json-schema.org/draft/2020-12/schema schema at /properties/n/type");
        assertThatThrownBy(() -> BodySchema.fromText("x", "[1]"))
                .hasMessage("JSON schema x: a schema must be an object or a boolean, was array");
        assertThatThrownBy(() -> BodySchema.fromText("x", ""))
                .hasMessage("JSON schema x: empty document");
    }

    @Test
    void anUnsupportedDialectIsRefused() {
        assertThatThrownBy(() -> BodySchema.fromText("x", "{\"$schema\":\"https://example.com/my-dialect\"}"))
                .isInstanceOf(BodySchemaException.class)
                .hasMessage("JSON schema x: 'https://example.com/my-dialect' is unrecognizable schema");
    }

    @Test
    void olderDialectsAreHonoured() throws Exception {
        BodySchema draft7 = BodySchema.fromText("d7",
                "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"items\":[{\"type\":\"string\"}]}");
        assertThat(validate(draft7, "[\"a\", 1]")).isEmpty();
        assertThat(validate(draft7, "[1]")).extracting(Violation::where).containsExactly("/0");
    }

    @Test
    void remoteReferencesAreNeverFetched() {
        assertThatThrownBy(() -> BodySchema.fromText("remote",
                "{\"$ref\":\"https://schemas.example.com/order.json\"}"))
                .isInstanceOf(BodySchemaException.class)
                .hasMessageContaining("https://schemas.example.com/order.json")
                .hasMessageContaining("not allowed");
    }

    @Test
    void fileReferencesResolveInsideTheSchemaDirectoryOnly() throws Exception {
        write("common/money.json", "{\"type\":\"number\",\"minimum\":0}");
        Path order = write("order.json", "{\"properties\":{\"price\":{\"$ref\":\"common/money.json\"}}}");
        BodySchema schema = BodySchema.fromFile(order);
        assertThat(validate(schema, "{\"price\":-1}")).extracting(Violation::where, Violation::code)
                .containsExactly(tuple("/price", "minimum"));

        Path inner = write("inner/escape.json", "{\"$ref\":\"../common/money.json\"}");
        assertThatThrownBy(() -> BodySchema.fromFile(inner))
                .isInstanceOf(BodySchemaException.class)
                .hasMessageContaining("not allowed");
        assertThatThrownBy(() -> BodySchema.fromText("inline", "{\"$ref\":\"common/money.json\"}"))
                .isInstanceOf(BodySchemaException.class);
    }

    @Test
    void danglingLocalReferencesFailAtLoad() {
        assertThatThrownBy(() -> BodySchema.fromText("x", "{\"$ref\":\"#/$defs/missing\"}"))
                .isInstanceOf(BodySchemaException.class)
                .hasMessage("JSON schema x: Reference /$defs/missing cannot be resolved");
    }

    @Test
    void formatIsAsserted() throws Exception {
        BodySchema schema = BodySchema.fromText("f", "{\"properties\":{\"mail\":{\"format\":\"email\"}}}");
        assertThat(validate(schema, "{\"mail\":\"a@example.com\"}")).isEmpty();
        assertThat(validate(schema, "{\"mail\":\"nope\"}")).extracting(Violation::where, Violation::code)
                .containsExactly(tuple("/mail", "format"));
    }

    @Test
    void aTreeIsCopiedSoLaterChangesDoNotLeakIn() throws Exception {
        ObjectNode tree = (ObjectNode) JSON.readTree("{\"type\":\"string\"}");
        BodySchema schema = BodySchema.fromTree("t", tree);
        tree.put("type", "integer");
        assertThat(validate(schema, "\"s\"")).isEmpty();
    }
}
