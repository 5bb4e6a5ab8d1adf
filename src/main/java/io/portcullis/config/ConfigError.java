package io.portcullis.config;

import java.util.Objects;

/**
 * One problem found while loading a configuration file, pinned to where it is in the source.
 *
 * <p>Sits at the edge of the {@code config} package: {@link ConfigLoader} collects these from every stage (syntax,
 * variable substitution, schema, semantic checks) and hands them out inside a {@link ConfigException}.
 *
 * @param file    the source name, usually the file path
 * @param line    1-based line of the offending node (for a missing property, of its parent object); 0 when the
 *                problem has no position, such as an unreadable file
 * @param column  1-based column, or 0 with {@code line}
 * @param path    JSON-pointer-like document path such as {@code /routes/0/match/path_prefix}; {@code /} for the root
 * @param message what is wrong and what was expected, naming the field
 */
public record ConfigError(String file, int line, int column, String path, String message) {

    public ConfigError {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    /** Compiler-style {@code file:line:column: path: message}, so editors and terminals can jump to it. */
    @Override
    public String toString() {
        return file + ":" + line + ":" + column + ": " + path + ": " + message;
    }
}
