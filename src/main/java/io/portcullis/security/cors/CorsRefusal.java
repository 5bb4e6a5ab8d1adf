package io.portcullis.security.cors;

/**
 * Why a preflight was refused, as a typed reason for the 403 body, the access log and metrics
 * (the error token is {@code CORS_} plus the name).
 */
public enum CorsRefusal {
    /** No Origin, an Origin that is not a tuple origin, or one not on the allowlist. */
    ORIGIN_NOT_ALLOWED,
    /** Access-Control-Request-Method missing, malformed or not allowed. */
    METHOD_NOT_ALLOWED,
    /** A name in Access-Control-Request-Headers malformed or not allowed. */
    HEADERS_NOT_ALLOWED;

    /** The {@code "error"} token for the JSON body. */
    public String error() {
        return "CORS_" + name();
    }
}
