package io.portcullis.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Loads a YAML or JSON configuration file into an immutable {@link GatewayConfig}, or fails with every problem in it.
 *
 * <p>Entry point of the {@code config} package, called by the CLI at startup and by reload off the event loop.
 * Stages: {@link TreeReader} (syntax, positions) → {@link EnvSubstitutor} ({@code ${VAR}}) → {@link ConfigSchema}
 * (shape) → {@link SemanticValidator} (names, references, regexes, addresses) → {@link ConfigBinder} (records).
 * Errors from all stages are collected and reported together, sorted by position; a node already reported by an
 * earlier stage is not reported again by a later one.
 */
public final class ConfigLoader {

    private final Function<String, String> env;

    /** @param env looks up environment variables for {@code ${VAR}}; returns null when a variable is unset */
    public ConfigLoader(Function<String, String> env) {
        this.env = Objects.requireNonNull(env, "env");
    }

    /** A loader that substitutes from the process environment. */
    public static ConfigLoader withSystemEnv() {
        return new ConfigLoader(System::getenv);
    }

    /** Reads and parses {@code file}; a name ending in {@code .json} is parsed as JSON, anything else as YAML. */
    public GatewayConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(List.of(new ConfigError(file.toString(), 0, 0, SourceTree.ROOT,
                    "cannot read configuration file: " + e)));
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(text, file.toString(), dir != null ? dir : Path.of("").toAbsolutePath());
    }

    /**
     * Parses configuration text.
     *
     * @param sourceName shown in errors; a name ending in {@code .json} selects JSON, anything else YAML
     */
    public GatewayConfig parse(String text, String sourceName) throws ConfigException {
        return parse(text, sourceName, Path.of("").toAbsolutePath());
    }

    /**
     * Parses configuration text whose relative file names (certificates, keys) are relative to {@code baseDir}.
     *
     * @param sourceName shown in errors; a name ending in {@code .json} selects JSON, anything else YAML
     */
    public GatewayConfig parse(String text, String sourceName, Path baseDir) throws ConfigException {
        List<ConfigError> errors = new ArrayList<>();
        SourceTree written = TreeReader.read(text, sourceName, errors);
        if (written == null) {
            throw new ConfigException(errors);
        }
        SourceTree tree = written.withRoot(new EnvSubstitutor(env, baseDir).substitute(written, errors));
        addUnreported(errors, ConfigSchema.instance().validate(tree));
        List<ConfigError> semantic = new ArrayList<>();
        SemanticValidator.validate(tree, semantic, baseDir);
        addUnreported(errors, semantic);
        if (!errors.isEmpty()) {
            errors.sort(Comparator.comparingInt(ConfigError::line).thenComparingInt(ConfigError::column));
            throw new ConfigException(errors);
        }
        return ConfigBinder.bind(tree.root(), baseDir);
    }

    /** Adds a later stage's errors, except at paths an earlier stage already reported (one cause, one message). */
    private static void addUnreported(List<ConfigError> errors, List<ConfigError> later) {
        Set<String> reported = new HashSet<>();
        errors.forEach(e -> reported.add(e.path()));
        later.stream().filter(e -> !reported.contains(e.path())).forEach(errors::add);
    }
}
