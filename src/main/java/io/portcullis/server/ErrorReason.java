package io.portcullis.server;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Why the gateway answered a request itself instead of relaying a backend's answer. Each reason carries its status
 * and appears as {@code "error"} in the JSON body, in the access log and in metrics.
 */
public enum ErrorReason {
    BAD_REQUEST(HttpResponseStatus.BAD_REQUEST),
    MISSING_HOST(HttpResponseStatus.BAD_REQUEST),
    DUPLICATE_HOST(HttpResponseStatus.BAD_REQUEST),
    INVALID_FRAMING(HttpResponseStatus.BAD_REQUEST),
    INVALID_HEADER(HttpResponseStatus.BAD_REQUEST),
    INVALID_TARGET(HttpResponseStatus.BAD_REQUEST),
    UNSUPPORTED_VERSION(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED),
    NOT_IMPLEMENTED(HttpResponseStatus.NOT_IMPLEMENTED),
    REQUEST_LINE_TOO_LONG(HttpResponseStatus.REQUEST_URI_TOO_LONG),
    HEADERS_TOO_LARGE(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE),
    BODY_TOO_LARGE(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE),
    EXPECTATION_FAILED(HttpResponseStatus.EXPECTATION_FAILED),
    HEADER_READ_TIMEOUT(HttpResponseStatus.REQUEST_TIMEOUT),
    NO_ROUTE(HttpResponseStatus.NOT_FOUND),
    /** No route matched, and anomaly detection blocks the client (as the anomaly filter does on routes). */
    ANOMALY_BLOCKED(HttpResponseStatus.FORBIDDEN),
    UNKNOWN_CLUSTER(HttpResponseStatus.BAD_GATEWAY),
    /** Every endpoint of the cluster fails its health checks (and panic mode is off). */
    NO_HEALTHY_ENDPOINT(HttpResponseStatus.SERVICE_UNAVAILABLE),
    /** The circuit breaker is open and the route has no fallback that applies (503 with Retry-After). */
    CIRCUIT_OPEN(HttpResponseStatus.SERVICE_UNAVAILABLE),
    /** The cluster's bulkhead is full: {@code limits.max_requests} in flight, or {@code max_pending} waiting. */
    UPSTREAM_OVERFLOW(HttpResponseStatus.SERVICE_UNAVAILABLE),
    /** The endpoint's connection pool stayed full for the whole connect timeout. */
    UPSTREAM_POOL_EXHAUSTED(HttpResponseStatus.SERVICE_UNAVAILABLE),
    UPSTREAM_CONNECT_FAILED(HttpResponseStatus.BAD_GATEWAY),
    UPSTREAM_RESET(HttpResponseStatus.BAD_GATEWAY),
    UPSTREAM_PROTOCOL_ERROR(HttpResponseStatus.BAD_GATEWAY),
    UPSTREAM_TIMEOUT(HttpResponseStatus.GATEWAY_TIMEOUT),
    SHUTTING_DOWN(HttpResponseStatus.SERVICE_UNAVAILABLE),
    /** Logged only: the client went away before its response was complete (nginx's 499). */
    CLIENT_CLOSED(new HttpResponseStatus(499, "Client Closed Request")),
    /** Logged only: the client stalled mid-request for longer than the listener's idle timeout. */
    CLIENT_TIMEOUT(HttpResponseStatus.REQUEST_TIMEOUT);

    private final HttpResponseStatus status;

    ErrorReason(HttpResponseStatus status) {
        this.status = status;
    }

    public HttpResponseStatus status() {
        return status;
    }
}
