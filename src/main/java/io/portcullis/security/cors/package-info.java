/**
 * Browser-facing response policy a route can opt into: {@link io.portcullis.security.cors.CorsPolicy} (the Fetch
 * standard's CORS protocol: the gateway answers preflights itself and decorates actual responses) and
 * {@link io.portcullis.security.cors.SecurityHeaders} (nosniff, frame and referrer policy, optional CSP and HSTS).
 *
 * <p>Both sit at the edges of the request path: a preflight is answered by the CORS filter right after routing and
 * never reaches the upstream; the response headers are added when the upstream's (or the gateway's own) response
 * head goes back to the client. Both are immutable and thread-safe, built per config snapshot and shared by all
 * event loops. Nothing here depends on the gateway's config package.
 */
package io.portcullis.security.cors;
