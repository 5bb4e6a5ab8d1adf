/**
 * Observability that hangs off finished exchanges: the structured JSON access log, written by its own thread so
 * event loops never block on I/O, and the Prometheus metrics ({@link io.portcullis.observe.GatewayMetrics}: per-route
 * exchanges, per-cluster upstream failures and health, per-endpoint gauges, JVM and Netty allocator), whose names
 * all live in {@link io.portcullis.observe.MetricNames}. Depends on nothing else in Portcullis.
 */
package io.portcullis.observe;
