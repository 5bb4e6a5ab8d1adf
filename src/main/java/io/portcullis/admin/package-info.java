/**
 * The admin listener: a small HTTP/1.1 server beside the request path, bound to loopback by default, that answers
 * liveness and readiness probes and shows clusters, the running config (secrets redacted) and Prometheus metrics.
 *
 * <p>It reads the gateway only through {@link io.portcullis.admin.AdminModel}, which the wiring ({@code server} or
 * {@code cli}) implements; it depends on {@code config} alone, and nothing on the request path depends on it.
 */
package io.portcullis.admin;
