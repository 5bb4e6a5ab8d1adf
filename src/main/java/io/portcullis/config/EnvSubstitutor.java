package io.portcullis.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${VAR}} and {@code ${VAR:-default}} inside string scalars with values from an environment.
 *
 * <p>Second stage of {@link ConfigLoader}, before the schema, so substituted values are validated like written ones.
 * {@code $${} writes a literal {@code ${}. As in the shell, {@code :-} also applies when the variable is set but
 * empty. A plain (unquoted in YAML, or any JSON string) scalar that is exactly one expression is re-read as a YAML
 * scalar after substitution, so {@code port: ${P}} yields a number and {@code enabled: ${ON}} a boolean; a quoted
 * YAML scalar always stays a string.
 *
 * <p>{@code ${file:path}} is replaced by the content of a file (without a final line break), relative to the config
 * file's folder: how secrets mounted as files (Kubernetes secrets, Docker secrets) get into the config without
 * being written in it.
 */
final class EnvSubstitutor {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern WHOLE_EXPRESSION = Pattern.compile("\\$\\{[^}]*}");
    private static final YAMLMapper SCALARS = new YAMLMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String FILE_PREFIX = "file:";

    private final Function<String, String> env;
    private final Path baseDir;

    EnvSubstitutor(Function<String, String> env) {
        this(env, Path.of("").toAbsolutePath());
    }

    /** @param baseDir relative {@code ${file:...}} paths are resolved against it */
    EnvSubstitutor(Function<String, String> env, Path baseDir) {
        this.env = Objects.requireNonNull(env, "env");
        this.baseDir = Objects.requireNonNull(baseDir, "baseDir");
    }

    /** Returns a substituted copy of the tree's root; unset variables without a default are added to errors. */
    JsonNode substitute(SourceTree tree, List<ConfigError> errors) {
        return substitute(tree, tree.root(), SourceTree.ROOT, errors);
    }

    private JsonNode substitute(SourceTree tree, JsonNode node, String path, List<ConfigError> errors) {
        if (node.isObject()) {
            ObjectNode copy = NODES.objectNode();
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                String childPath = SourceTree.child(path, field.getKey());
                copy.set(field.getKey(), substitute(tree, field.getValue(), childPath, errors));
            }
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = NODES.arrayNode();
            for (JsonNode element : node) {
                copy.add(substitute(tree, element, SourceTree.child(path, copy.size()), errors));
            }
            return copy;
        }
        if (!node.isTextual() || !node.textValue().contains("${")) {
            return node;
        }
        String text = node.textValue();
        String replaced = expand(text, tree, path, errors);
        if (replaced == null) {
            return node;
        }
        boolean retype = WHOLE_EXPRESSION.matcher(text).matches() && !tree.quoted().contains(path);
        return retype ? asScalar(replaced) : NODES.textNode(replaced);
    }

    /** @return the expanded text, or null if an error was reported */
    private String expand(String text, SourceTree tree, String path, List<ConfigError> errors) {
        StringBuilder out = new StringBuilder(text.length());
        boolean failed = false;
        int i = 0;
        while (i < text.length()) {
            if (text.startsWith("$${", i)) {
                out.append("${");
                i += 3;
            } else if (text.startsWith("${", i)) {
                int end = text.indexOf('}', i + 2);
                if (end < 0) {
                    errors.add(tree.errorAt(path, "unterminated '${' in '" + text + "'; write '$${' for a literal '${'"));
                    return null;
                }
                String value = lookUp(text.substring(i + 2, end), tree, path, errors);
                failed |= value == null;
                out.append(value == null ? "" : value);
                i = end + 1;
            } else {
                out.append(text.charAt(i++));
            }
        }
        return failed ? null : out.toString();
    }

    private String lookUp(String expression, SourceTree tree, String path, List<ConfigError> errors) {
        if (expression.startsWith(FILE_PREFIX)) {
            return readFile(expression.substring(FILE_PREFIX.length()), tree, path, errors);
        }
        int separator = expression.indexOf(":-");
        String name = separator < 0 ? expression : expression.substring(0, separator);
        String fallback = separator < 0 ? null : expression.substring(separator + 2);
        if (!NAME.matcher(name).matches()) {
            errors.add(tree.errorAt(path, "invalid variable name '" + name
                    + "' in '${" + expression + "}'; expected letters, digits and '_', not starting with a digit"));
            return null;
        }
        String value = env.apply(name);
        if (fallback != null && (value == null || value.isEmpty())) {
            return fallback;
        }
        if (value == null) {
            errors.add(tree.errorAt(path, "environment variable " + name + " is not set and '${" + name
                    + "}' has no default; set it or write '${" + name + ":-default}'"));
        }
        return value;
    }

    private String readFile(String name, SourceTree tree, String path, List<ConfigError> errors) {
        Path file = baseDir.resolve(name).normalize();
        try {
            String content = Files.readString(file);
            return content.endsWith("\r\n") ? content.substring(0, content.length() - 2)
                    : content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
        } catch (IOException | RuntimeException e) {
            errors.add(tree.errorAt(path, "cannot read '${file:" + name + "}' (" + file + "): "
                    + (e instanceof NoSuchFileException ? "no such file" : e.getMessage())));
            return null;
        }
    }

    /** Re-reads a substituted value as YAML would read it unquoted; only numbers and booleans change type. */
    private static JsonNode asScalar(String value) {
        try {
            JsonNode parsed = SCALARS.readTree(value);
            if (parsed != null && (parsed.isNumber() || parsed.isBoolean())) {
                return parsed;
            }
        } catch (JacksonException e) {
            // Not a YAML scalar on its own (for example "a: b"), so it can only be meant as a string.
            return NODES.textNode(value);
        }
        return NODES.textNode(value);
    }
}
