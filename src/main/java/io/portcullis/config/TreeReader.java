package io.portcullis.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads YAML or JSON text into a {@link SourceTree}, recording the line and column of every key and value.
 *
 * <p>First stage of {@link ConfigLoader}. Jackson's {@code readTree} forgets positions, so this walks the token
 * stream itself; it also rejects duplicate keys, which a plain tree read would silently let the last one win.
 */
final class TreeReader {

    private static final JsonFactory JSON = new JsonFactory();
    private static final YAMLFactory YAML = new YAMLFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final String source;
    private final String[] lines;
    private final boolean yaml;
    private final List<ConfigError> errors;
    private final Map<String, SourceTree.Position> values = new HashMap<>();
    private final Map<String, SourceTree.Position> keys = new HashMap<>();
    private final Set<String> quoted = new HashSet<>();

    private TreeReader(String text, String source, List<ConfigError> errors) {
        this.source = source;
        this.lines = text.split("\r?\n", -1);
        this.yaml = !source.toLowerCase(java.util.Locale.ROOT).endsWith(".json");
        this.errors = errors;
    }

    /**
     * Parses {@code text}; {@code .json} sources as JSON, everything else as YAML.
     *
     * @return the tree, or null when the text is not well-formed (the reason is added to {@code errors})
     */
    static SourceTree read(String text, String source, List<ConfigError> errors) {
        return new TreeReader(text, source, errors).read(text);
    }

    private SourceTree read(String text) {
        String[] path = {SourceTree.ROOT};
        try (JsonParser p = yaml ? YAML.createParser(text) : JSON.createParser(text)) {
            JsonNode root = p.nextToken() == null ? null : readValue(p, SourceTree.ROOT, path);
            if (root == null || root.isNull()) {
                errors.add(new ConfigError(source, 1, 1, SourceTree.ROOT,
                        "configuration is empty; expected a mapping with listeners, routes and clusters"));
                return null;
            }
            if (p.nextToken() != null) {
                add(p.currentTokenLocation(), SourceTree.ROOT, "only one document is allowed in a configuration");
                return null;
            }
            return new SourceTree(source, root, values, keys, quoted);
        } catch (JsonProcessingException e) {
            syntaxError(e, path[0]);
            return null;
        } catch (IOException e) {
            throw new IllegalStateException("reading from a String cannot fail", e);
        }
    }

    /** Reads the value at the current token; {@code lastPath[0]} tracks where a syntax error happened. */
    private JsonNode readValue(JsonParser p, String path, String[] lastPath) throws IOException {
        lastPath[0] = path;
        JsonLocation at = p.currentTokenLocation();
        values.put(path, position(at));
        JsonToken token = p.currentToken();
        return switch (token) {
            case START_OBJECT -> readObject(p, path, lastPath);
            case START_ARRAY -> readArray(p, path, lastPath);
            case VALUE_STRING -> {
                if (yaml && isQuoted(at)) {
                    quoted.add(path);
                }
                yield NODES.textNode(p.getText());
            }
            case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                case INT -> NODES.numberNode(p.getIntValue());
                case LONG -> NODES.numberNode(p.getLongValue());
                default -> NODES.numberNode(p.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDecimalValue());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> {
                add(at, path, "unsupported value (" + token + "); expected a plain scalar, list or mapping");
                yield NODES.nullNode();
            }
        };
    }

    private ObjectNode readObject(JsonParser p, String path, String[] lastPath) throws IOException {
        ObjectNode object = NODES.objectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            String childPath = SourceTree.child(path, name);
            JsonLocation keyAt = p.currentTokenLocation();
            if (object.has(name)) {
                add(keyAt, childPath, "duplicate key '" + name + "'; each key may appear once in a mapping");
            }
            keys.put(childPath, position(keyAt));
            p.nextToken();
            object.set(name, readValue(p, childPath, lastPath));
        }
        return object;
    }

    private ArrayNode readArray(JsonParser p, String path, String[] lastPath) throws IOException {
        ArrayNode array = NODES.arrayNode();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            array.add(readValue(p, SourceTree.child(path, array.size()), lastPath));
        }
        return array;
    }

    /** Jackson does not expose the YAML scalar style, so look at the source character where the scalar starts. */
    private boolean isQuoted(JsonLocation at) {
        int line = at.getLineNr() - 1;
        int column = at.getColumnNr() - 1;
        if (line < 0 || line >= lines.length || column < 0) {
            return false;
        }
        String text = lines[line];
        int index = text.offsetByCodePoints(0, Math.min(column, text.codePointCount(0, text.length())));
        return index < text.length() && (text.charAt(index) == '"' || text.charAt(index) == '\'');
    }

    private void syntaxError(JsonProcessingException e, String path) {
        if (e.getCause() instanceof MarkedYAMLException yamlError && yamlError.getProblemMark() != null) {
            String problem = yamlError.getProblem();
            String context = yamlError.getContext();
            errors.add(new ConfigError(source, yamlError.getProblemMark().getLine() + 1,
                    yamlError.getProblemMark().getColumn() + 1, path,
                    "invalid YAML: " + problem + (context == null ? "" : " (" + context + ")")));
            return;
        }
        String message = e.getOriginalMessage().lines().findFirst().orElse("syntax error");
        add(e.getLocation(), path, (yaml ? "invalid YAML: " : "invalid JSON: ") + message);
    }

    private void add(JsonLocation at, String path, String message) {
        SourceTree.Position p = at == null ? SourceTree.Position.NONE : position(at);
        errors.add(new ConfigError(source, p.line(), p.column(), path, message));
    }

    private static SourceTree.Position position(JsonLocation at) {
        return new SourceTree.Position(Math.max(at.getLineNr(), 0), Math.max(at.getColumnNr(), 0));
    }
}
