package io.portcullis.upstream;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;

/**
 * The exchange a pooled upstream connection is currently serving. Every callback runs on the connection's event
 * loop, which is also the downstream connection's loop, so implementations need no synchronization.
 */
public interface UpstreamListener {
    /** The final (non-1xx) response head; its decoder result is a success. */
    void onResponseHead(HttpResponse response);

    /** A body part; ownership passes to the listener. The last part is a {@link io.netty.handler.codec.http.LastHttpContent}. */
    void onResponseContent(HttpContent content);

    /** The end of one socket read: a good moment to flush what was written downstream. */
    void onResponseReadComplete();

    /** The upstream socket became writable (or not); request bodies pause while it is not. */
    void onUpstreamWritabilityChanged(boolean writable);

    /** The connection failed while serving this listener; it is closed and will not be reused. */
    void onUpstreamFailure(UpstreamFailure failure, Throwable cause);

    /** Failures an upstream connection reports; the server maps them to a status and a reason. */
    enum UpstreamFailure {
        /** The peer closed or reset the connection before the response was complete. */
        RESET,
        /** The peer's response was not valid HTTP/1.1 (bad status line, conflicting lengths, ...). */
        PROTOCOL_ERROR
    }
}
