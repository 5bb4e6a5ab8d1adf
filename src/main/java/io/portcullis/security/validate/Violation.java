package io.portcullis.security.validate;

import java.util.Objects;

/**
 * One thing wrong with a request, as reported to the client in the error body (see {@link Violations#toJson}).
 *
 * @param where where in the request: {@code body} for the body as a whole, a JSON pointer such as
 *              {@code /items/0/price} inside it, {@code query.limit} for a query parameter,
 *              {@code header.content-type} for a header, {@code method} for the method
 * @param what  a short human-readable message
 * @param code  a stable machine-readable token ({@code required}, {@code type}, {@code too_deep}, …) or null
 */
public record Violation(String where, String what, String code) {

    public Violation {
        Objects.requireNonNull(where, "where");
        Objects.requireNonNull(what, "what");
    }

    /** A violation without a code. */
    public Violation(String where, String what) {
        this(where, what, null);
    }
}
