/**
 * Active health checks: each endpoint of a cluster is probed on a fresh connection every interval (TCP connect or
 * an HTTP {@code GET} with an expected status), and consecutive results past a threshold flip it between healthy and
 * unhealthy. Owns the probing, the thresholds and the transition log lines; the cluster runtime owns what a
 * transition means for endpoint choice (it listens through {@link io.portcullis.upstream.health.HealthChecker.Listener}
 * and reads {@link io.portcullis.upstream.health.HealthChecker#healthy(int)}).
 *
 * <p>Off the request path: checks run on a group the caller dedicates to them, never on the loops that serve
 * traffic. A checker's state is confined to one of that group's loops; only the healthy flags are read elsewhere.
 */
package io.portcullis.upstream.health;
