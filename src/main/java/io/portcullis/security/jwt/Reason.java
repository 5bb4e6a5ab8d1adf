package io.portcullis.security.jwt;

/**
 * Why a bearer token was refused: a small, stable set of codes that the JWT filter puts in the access log and
 * metrics, so the codes must not depend on library messages.
 */
public enum Reason {
    /** Not a compact JWS with a parsable header and claims, or a {@code crit} header this engine does not handle. */
    MALFORMED,
    /** Longer than the configured maximum; refused before any parsing. */
    TOO_LARGE,
    /** {@code alg: none}, an encrypted token, or an algorithm this verifier does not allow. */
    ALG_NOT_ALLOWED,
    /** No {@code kid} while several keys fit the token's algorithm. */
    KID_REQUIRED,
    /** No key fits the token's {@code kid} and algorithm, even after a refetch of the key set (when allowed). */
    UNKNOWN_KEY,
    /** The signature does not verify with the selected key (tampered header or payload, or a foreign key). */
    BAD_SIGNATURE,
    /** {@code exp} is past, beyond the allowed clock skew. */
    EXPIRED,
    /** {@code nbf} is in the future, beyond the allowed clock skew. */
    NOT_YET_VALID,
    /** {@code iss} is missing or not the expected issuer. */
    BAD_ISSUER,
    /** None of the token's {@code aud} values is accepted. */
    BAD_AUDIENCE,
    /** {@code exp} or a configured required claim is missing. */
    MISSING_CLAIM
}
