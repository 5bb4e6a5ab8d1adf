package io.portcullis.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * Builds the JSON bodies of responses the gateway generates itself:
 * {@code {"status":502,"error":"UPSTREAM_CONNECT_FAILED","request_id":"..."}}.
 */
final class ErrorResponses {
    private ErrorResponses() {}

    static FullHttpResponse json(ByteBufAllocator alloc, HttpVersion version, ErrorReason reason, String requestId,
            boolean close) {
        return json(alloc, version, reason.status(), reason.name(), requestId, close);
    }

    /** {@code error} must be a JSON-safe token (an {@link ErrorReason} name or a filter's error). */
    static FullHttpResponse json(ByteBufAllocator alloc, HttpVersion version, HttpResponseStatus status, String error,
            String requestId, boolean close) {
        return json(alloc, version, status, error, requestId, close, null);
    }

    /** With {@code details}, a JSON value (made by a serializer, never by hand from input) added as "details". */
    static FullHttpResponse json(ByteBufAllocator alloc, HttpVersion version, HttpResponseStatus status, String error,
            String requestId, boolean close, String details) {
        StringBuilder sb = new StringBuilder(96)
                .append("{\"status\":").append(status.code())
                .append(",\"error\":\"").append(error)
                .append("\",\"request_id\":");
        if (requestId == null) {
            sb.append("null");
        } else {
            // Request ids are validated to a JSON-safe alphabet before they get here (RequestIds.isWellFormed).
            sb.append('"').append(requestId).append('"');
        }
        if (details != null) {
            sb.append(",\"details\":").append(details);
        }
        sb.append("}\n");
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuf body = alloc.buffer(bytes.length).writeBytes(bytes);
        HttpVersion v = version == HttpVersion.HTTP_1_0 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
        FullHttpResponse response = new DefaultFullHttpResponse(v, status, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        if (requestId != null) {
            response.headers().set(ProxyHeaders.X_REQUEST_ID, requestId);
        }
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (v == HttpVersion.HTTP_1_0) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return response;
    }

    /** A bodiless answer the gateway gives itself (a CORS preflight's 204). */
    static FullHttpResponse empty(HttpVersion version, HttpResponseStatus status, String requestId) {
        HttpVersion v = version == HttpVersion.HTTP_1_0 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
        FullHttpResponse response = new DefaultFullHttpResponse(v, status, Unpooled.EMPTY_BUFFER);
        if (status.code() != 204) {
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        }
        if (requestId != null) {
            response.headers().set(ProxyHeaders.X_REQUEST_ID, requestId);
        }
        return response;
    }
}
