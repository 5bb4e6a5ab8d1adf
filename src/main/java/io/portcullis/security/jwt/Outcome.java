package io.portcullis.security.jwt;

/**
 * The result of verifying one bearer token: {@link Verified} or {@link Rejected}. A sealed pair so the JWT filter
 * can switch over it exhaustively; refusals are values, not exceptions, since they are the common case under attack.
 */
public sealed interface Outcome permits Verified, Rejected {
}
