package io.portcullis.server;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

/**
 * Answers the gateway gives gRPC clients itself: gRPC reads its outcome from {@code grpc-status}, not from the
 * HTTP status, so an error is a "Trailers-Only" response: HTTP 200, {@code content-type: application/grpc},
 * {@code grpc-status} and {@code grpc-message}, no body. Over HTTP/2 that is one HEADERS frame ending the stream.
 */
final class GrpcStatus {
    static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
    static final AsciiString GRPC_MESSAGE = AsciiString.cached("grpc-message");
    private static final AsciiString APPLICATION_GRPC = AsciiString.cached("application/grpc");

    static final int DEADLINE_EXCEEDED = 4;
    static final int PERMISSION_DENIED = 7;
    static final int RESOURCE_EXHAUSTED = 8;
    static final int UNIMPLEMENTED = 12;
    static final int INTERNAL = 13;
    static final int UNAVAILABLE = 14;
    static final int UNAUTHENTICATED = 16;

    private GrpcStatus() {}

    /** A gRPC request or response: its content type is {@code application/grpc} or {@code application/grpc+...}. */
    static boolean isGrpc(HttpMessage message) {
        String type = message.headers().get(HttpHeaderNames.CONTENT_TYPE);
        return type != null && type.regionMatches(true, 0, "application/grpc", 0, 16)
                && (type.length() == 16 || type.charAt(16) == '+' || type.charAt(16) == ';');
    }

    /**
     * The gRPC code for an HTTP status the gateway would have answered with, following gRPC's own HTTP mapping
     * ({@code doc/http-grpc-status-mapping.md}) but keeping the gateway's better knowledge where it has it: a
     * timeout is DEADLINE_EXCEEDED, a rate or size limit RESOURCE_EXHAUSTED.
     */
    static int codeFor(int httpStatus) {
        return switch (httpStatus) {
            case 400 -> INTERNAL;
            case 401 -> UNAUTHENTICATED;
            case 403 -> PERMISSION_DENIED;
            case 404 -> UNIMPLEMENTED;
            case 408, 504 -> DEADLINE_EXCEEDED;
            case 413, 429, 431 -> RESOURCE_EXHAUSTED;
            case 502, 503 -> UNAVAILABLE;
            default -> httpStatus >= 500 ? UNAVAILABLE : INTERNAL;
        };
    }

    /** A Trailers-Only error; {@code reason} (an error token like {@code UPSTREAM_TIMEOUT}) is the message. */
    static FullHttpResponse response(int httpStatus, String reason, String requestId) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.EMPTY_BUFFER);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, APPLICATION_GRPC)
                .setInt(GRPC_STATUS, codeFor(httpStatus))
                // Error tokens are [A-Z_]: nothing to percent-encode.
                .set(GRPC_MESSAGE, reason + " (gateway, HTTP " + httpStatus + ")")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        if (requestId != null) {
            response.headers().set(ProxyHeaders.X_REQUEST_ID, requestId);
        }
        return response;
    }
}
