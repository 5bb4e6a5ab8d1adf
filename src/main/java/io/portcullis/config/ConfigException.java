package io.portcullis.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration could not be loaded; carries every problem found, not only the first.
 *
 * <p>Thrown by {@link ConfigLoader} before anything in the request path sees the configuration, so a bad file (at
 * startup or on reload) never replaces a good snapshot.
 */
public final class ConfigException extends Exception {

    private final List<ConfigError> errors;

    /** @param errors at least one error, in the order they should be shown */
    public ConfigException(List<ConfigError> errors) {
        super(format(errors));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("errors must not be empty");
        }
        this.errors = List.copyOf(errors);
    }

    /** Every problem found, sorted by position in the source. */
    public List<ConfigError> errors() {
        return errors;
    }

    private static String format(List<ConfigError> errors) {
        return errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n"));
    }
}
