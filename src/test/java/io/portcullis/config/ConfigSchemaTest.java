package io.portcullis.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The schema is strict (typos are caught) and documented (editors show a description for every field). */
class ConfigSchemaTest {

    private final JsonNode schema = ConfigSchema.instance().document();

    @Test
    void isDraft202012() {
        assertThat(schema.path("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
    }

    @Test
    void everyPropertyAndDefinitionHasADescription() {
        List<String> undocumented = new ArrayList<>();
        walk(schema, "#", (path, node) -> {
            for (String container : List.of("properties", "$defs")) {
                for (Map.Entry<String, JsonNode> e : node.path(container).properties()) {
                    if (!e.getValue().path("description").isTextual()) {
                        undocumented.add(path + "/" + container + "/" + e.getKey());
                    }
                }
            }
        });
        assertThat(undocumented).isEmpty();
    }

    @Test
    void everyObjectForbidsAdditionalProperties() {
        List<String> open = new ArrayList<>();
        List<String> maps = new ArrayList<>();
        walk(schema, "#", (path, node) -> {
            JsonNode additional = node.path("additionalProperties");
            if ("object".equals(node.path("type").asText()) && !additional.isBoolean()) {
                // A map with free keys must say what its values are; only the known maps may be one.
                (additional.path("type").isTextual() ? maps : open).add(path);
            }
        });
        assertThat(open).isEmpty();
        assertThat(maps).containsExactlyInAnyOrder("#/$defs/fallback/properties/static/properties/headers",
                "#/$defs/jwtProvider/properties/claims_to_headers",
                "#/$defs/policy/properties/validate/properties/query",
                "#/$defs/policy/properties/response_headers/oneOf/1/properties/set",
                "#/properties/overload/properties/roles",
                "#/properties/overload/properties/consumers",
                "#/properties/overload/properties/header/properties/values");
        assertThat(schema.path("$defs").size()).isGreaterThan(10);
    }

    private interface Visitor {
        void visit(String path, JsonNode node);
    }

    private static void walk(JsonNode node, String path, Visitor visitor) {
        if (node.isObject()) {
            visitor.visit(path, node);
            node.properties().forEach(e -> walk(e.getValue(), path + "/" + e.getKey(), visitor));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), path + "/" + i, visitor);
            }
        }
    }
}
