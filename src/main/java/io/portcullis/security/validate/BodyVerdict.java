package io.portcullis.security.validate;

import java.util.List;
import java.util.Objects;

/**
 * What {@link JsonBodyCheck} found in a request body: an {@link Outcome} that decides the status the gateway
 * answers with, and the violations that go in that answer's JSON list (empty when valid).
 */
public record BodyVerdict(Outcome outcome, List<Violation> violations) {

    /** Why a body was refused, with the status and error token the gateway answers with. */
    public enum Outcome {
        /** Well-formed, within limits, and accepted by the schema (if any). */
        VALID(200, "VALID"),
        /** Not JSON: syntax error, trailing content, a duplicate key or an empty body. */
        MALFORMED(400, "MALFORMED_BODY"),
        /** Nested deeper than the route allows; refused by the streaming pass before any tree was built. */
        TOO_DEEP(400, "BODY_TOO_DEEP"),
        /** Larger than the route's maximum; refused without parsing. */
        TOO_LARGE(413, "BODY_TOO_LARGE"),
        /** Well-formed JSON that the route's schema rejects. */
        INVALID(422, "SCHEMA_VIOLATION");

        private final int status;
        private final String error;

        Outcome(int status, String error) {
            this.status = status;
            this.error = error;
        }

        /** The HTTP status the gateway answers with. */
        public int status() {
            return status;
        }

        /** The {@code "error"} token for the JSON body, the access log and metrics. */
        public String error() {
            return error;
        }
    }

    static final BodyVerdict VALID = new BodyVerdict(Outcome.VALID, List.of());

    public BodyVerdict {
        Objects.requireNonNull(outcome, "outcome");
        violations = List.copyOf(violations);
        if ((outcome == Outcome.VALID) != violations.isEmpty()) {
            throw new IllegalArgumentException("a " + outcome + " verdict with " + violations.size()
                    + " violation(s)");
        }
    }

    static BodyVerdict of(Outcome outcome, Violation violation) {
        return new BodyVerdict(outcome, List.of(violation));
    }

    /** True when the body may go to the upstream. */
    public boolean valid() {
        return outcome == Outcome.VALID;
    }
}
