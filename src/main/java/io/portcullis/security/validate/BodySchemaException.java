package io.portcullis.security.validate;

/**
 * A route's JSON Schema could not be loaded: unreadable file, not JSON, not a valid schema for its dialect, or a
 * {@code $ref} that cannot be resolved offline. Raised while a config snapshot is built, never on a request; the
 * config layer turns it into an error that names the route.
 */
public final class BodySchemaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String reason;

    BodySchemaException(String source, String reason, Throwable cause) {
        super("JSON schema " + source + ": " + reason, cause);
        this.source = source;
        this.reason = reason;
    }

    BodySchemaException(String source, String reason) {
        this(source, reason, null);
    }

    /** The file path or the name given to the inline schema. */
    public String source() {
        return source;
    }

    /** What is wrong with it, without the source. */
    public String reason() {
        return reason;
    }
}
