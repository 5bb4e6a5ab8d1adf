package io.portcullis.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Set;

/**
 * A parsed configuration document together with where each of its nodes came from.
 *
 * <p>Built by {@link TreeReader}; every later stage of {@link ConfigLoader} (substitution, schema, semantic checks,
 * binding) reads the tree and uses {@link #errorAt} so its errors carry the file, line and column.
 *
 * @param source         the source name shown in errors
 * @param root           the document; replaced by {@link #withRoot} after variable substitution
 * @param valueLocations document path to the position of the value at that path
 * @param keyLocations   document path to the position of the mapping key that introduced it
 * @param quoted         paths of string scalars written quoted in YAML (never re-typed after substitution)
 */
record SourceTree(
        String source,
        JsonNode root,
        Map<String, Position> valueLocations,
        Map<String, Position> keyLocations,
        Set<String> quoted) {

    /** The root's document path. */
    static final String ROOT = "/";

    /** A 1-based line and column. */
    record Position(int line, int column) {
        static final Position NONE = new Position(0, 0);
    }

    SourceTree {
        valueLocations = Map.copyOf(valueLocations);
        keyLocations = Map.copyOf(keyLocations);
        quoted = Set.copyOf(quoted);
    }

    SourceTree withRoot(JsonNode newRoot) {
        return new SourceTree(source, newRoot, valueLocations, keyLocations, quoted);
    }

    /** The document path of {@code key} inside the object at {@code parent}, escaped as in JSON pointer. */
    static String child(String parent, String key) {
        String escaped = key.replace("~", "~0").replace("/", "~1");
        return (ROOT.equals(parent) ? "" : parent) + "/" + escaped;
    }

    /** The document path of element {@code index} of the array at {@code parent}. */
    static String child(String parent, int index) {
        return (ROOT.equals(parent) ? "" : parent) + "/" + index;
    }

    /** An error at the value at {@code path}, or at its nearest located ancestor if that value does not exist. */
    ConfigError errorAt(String path, String message) {
        Position p = locate(path, valueLocations);
        return new ConfigError(source, p.line(), p.column(), path, message);
    }

    /** The line of the value at {@code path} (or of its nearest located ancestor); 0 if unknown. */
    int lineOf(String path) {
        return locate(path, valueLocations).line();
    }

    /** An error at the mapping key that introduced {@code path} (for unknown or duplicate properties). */
    ConfigError errorAtKey(String path, String message) {
        Position p = keyLocations.get(path);
        return p == null ? errorAt(path, message) : new ConfigError(source, p.line(), p.column(), path, message);
    }

    private static Position locate(String path, Map<String, Position> locations) {
        String current = path;
        while (true) {
            Position p = locations.get(current);
            if (p != null) {
                return p;
            }
            if (ROOT.equals(current) || current.isEmpty()) {
                return Position.NONE;
            }
            int slash = current.lastIndexOf('/');
            current = slash <= 0 ? ROOT : current.substring(0, slash);
        }
    }
}
