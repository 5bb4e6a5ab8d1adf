/**
 * JWT bearer verification: the engine behind the gateway's JWT filter. Owns parsing and refusing tokens
 * ({@link io.portcullis.security.jwt.JwtVerifier}), the keys they are checked against
 * ({@link io.portcullis.security.jwt.KeySource}: a local JWKS or PEM file, or a remote JWKS URL kept fresh by
 * {@link io.portcullis.security.jwt.RemoteJwks}), and the typed outcome a filter turns into a 401
 * ({@link io.portcullis.security.jwt.Outcome}). Knows nothing of Netty, routes or configuration files.
 *
 * <p>Sits in the filter step of the request path and runs on event loops: verification never blocks and takes no
 * locks. A verifier is immutable; the only shared mutable state is the key set, swapped whole through one atomic
 * reference when a fetch lands, and a bounded cache of verified tokens keyed by their SHA-256.
 */
package io.portcullis.security.jwt;
