/**
 * Request validation engines a route can opt into, run by the gateway's validation filter after routing and before
 * the upstream: {@link io.portcullis.security.validate.AllowedMethods} (405),
 * {@link io.portcullis.security.validate.ContentTypes} (415), {@link io.portcullis.security.validate.QueryRules}
 * (400) and {@link io.portcullis.security.validate.JsonBodyCheck} (400, 413 or 422 on the buffered body).
 *
 * <p>Every engine is immutable and thread-safe, built once per config snapshot off the event loop and then shared by
 * all event loops without locks. Each reports what was wrong as a list of
 * {@link io.portcullis.security.validate.Violation}s, which {@link io.portcullis.security.validate.Violations}
 * renders as the JSON list in the error body. Nothing here depends on the gateway's config package: the config
 * layer translates YAML into these constructors and builders.
 */
package io.portcullis.security.validate;
