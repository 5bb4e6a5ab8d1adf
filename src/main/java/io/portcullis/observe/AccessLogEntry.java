package io.portcullis.observe;

/**
 * One finished exchange, captured on the event loop as plain values; formatted to JSON later, off the loop.
 *
 * @param status      status sent to the client, or 0 when the connection was aborted before a response
 * @param error       the gateway's reason when it answered itself or aborted, else null
 * @param upstream    {@code host:port} of the backend tried last, or null
 * @param durationNanos accept of the request head to the last byte written
 * @param upstreamNanos request sent upstream to response head received, or -1
 */
public record AccessLogEntry(
        long startEpochMillis,
        String requestId,
        String clientAddress,
        String method,
        String path,
        String protocol,
        String host,
        String route,
        String upstream,
        int status,
        String error,
        long bytesIn,
        long bytesOut,
        long durationNanos,
        long upstreamNanos) {
}
