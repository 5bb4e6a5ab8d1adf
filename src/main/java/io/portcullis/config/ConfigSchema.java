package io.portcullis.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * The bundled JSON Schema ({@value #RESOURCE}) and the translation of its findings into {@link ConfigError}s.
 *
 * <p>Third stage of {@link ConfigLoader}, after variable substitution. The schema catches shape mistakes (typo keys,
 * wrong types, missing fields, malformed durations and sizes); {@link SemanticValidator} checks what a schema cannot.
 * Editors can use the same file for completion and hover descriptions.
 */
final class ConfigSchema {

    /** Classpath location of the schema. */
    static final String RESOURCE = "/io/portcullis/config/portcullis.schema.json";

    private static final ConfigSchema INSTANCE = new ConfigSchema();

    private final JsonNode document;
    private final JsonSchema schema;

    private ConfigSchema() {
        try (InputStream in = ConfigSchema.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("schema resource missing: " + RESOURCE);
            }
            document = new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schema " + RESOURCE, e);
        }
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().locale(Locale.ENGLISH).build();
        schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(document, config);
    }

    /** The shared, thread-safe instance. */
    static ConfigSchema instance() {
        return INSTANCE;
    }

    /** The schema as JSON, for tests and tooling. */
    JsonNode document() {
        return document;
    }

    /** Validates the tree's (already substituted) root; every violation becomes one located error. */
    List<ConfigError> validate(SourceTree tree) {
        List<ConfigError> errors = new ArrayList<>();
        for (ValidationMessage message : schema.validate(tree.root())) {
            errors.add(translate(message, tree));
        }
        return errors;
    }

    private ConfigError translate(ValidationMessage m, SourceTree tree) {
        String path = pointer(m.getInstanceLocation());
        JsonNodePath keyword = m.getSchemaLocation().getFragment();
        String kind = kindOf(keyword);
        return switch (m.getType()) {
            case "required" -> tree.errorAt(SourceTree.child(path, m.getProperty()),
                    "missing required property '" + m.getProperty() + "'");
            case "additionalProperties" -> {
                String property = m.getProperty();
                String propertyPath = path.endsWith("/" + property) ? path : SourceTree.child(path, property);
                yield tree.errorAtKey(propertyPath, "unknown property '" + property + "'; expected one of: "
                        + allowedProperties(keyword));
            }
            case "type" -> tree.errorAt(path, "expected " + (kind != null ? kind : expectedTypes(keyword))
                    + ", was " + describe(m.getInstanceNode()));
            case "pattern", "minimum" -> tree.errorAt(path, kind != null
                    ? "expected " + kind + ", was " + describe(m.getInstanceNode())
                    : m.getError() + ", was " + describe(m.getInstanceNode()));
            default -> tree.errorAt(path, m.getError());
        };
    }

    /** Durations and sizes get a message that explains their format instead of quoting a regex. */
    private static String kindOf(JsonNodePath keyword) {
        String location = keyword.toString();
        if (location.contains("$defs/duration") || location.contains("$defs.duration")) {
            return "a duration such as 250ms, 15s, 2m, 1h or an integer number of milliseconds";
        }
        if (location.contains("$defs/size") || location.contains("$defs.size")) {
            return "a size such as 512, 8KiB, 10MiB, 1GiB (or KB, MB, GB for powers of 1000)";
        }
        return null;
    }

    private String allowedProperties(JsonNodePath keyword) {
        List<String> names = new ArrayList<>();
        schemaAt(keyword.getParent()).path("properties").fieldNames().forEachRemaining(names::add);
        return names.isEmpty() ? "(none)" : String.join(", ", names);
    }

    private String expectedTypes(JsonNodePath keyword) {
        JsonNode type = schemaAt(keyword);
        if (type.isArray()) {
            return StreamSupport.stream(type.spliterator(), false).map(JsonNode::asText)
                    .collect(Collectors.joining(" or "));
        }
        return type.isMissingNode() ? "another type" : type.asText();
    }

    private JsonNode schemaAt(JsonNodePath fragment) {
        JsonNode node = document;
        for (int i = 0; i < fragment.getNameCount(); i++) {
            Object element = fragment.getElement(i);
            node = element instanceof Integer index ? node.path(index) : node.path(element.toString());
        }
        return node;
    }

    private static String describe(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return "nothing";
        }
        if (value.isTextual()) {
            return "'" + value.textValue() + "'";
        }
        if (value.isObject()) {
            return "a mapping";
        }
        if (value.isArray()) {
            return "a list";
        }
        if (value.isIntegralNumber()) {
            return "integer " + value;
        }
        return value.getNodeType().name().toLowerCase(Locale.ROOT) + " " + value;
    }

    private static String pointer(JsonNodePath location) {
        String path = SourceTree.ROOT;
        for (int i = 0; i < location.getNameCount(); i++) {
            Object element = location.getElement(i);
            path = element instanceof Integer index
                    ? SourceTree.child(path, index)
                    : SourceTree.child(path, element.toString());
        }
        return path;
    }
}
