package io.portcullis.server;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * Header rewriting on the proxy path (RFC 9110 §7.6): removes hop-by-hop fields in both directions, including those
 * named in {@code Connection}, then adds the fields the gateway owns ({@code X-Forwarded-*}, {@code Via},
 * {@code X-Request-Id}). Removal always runs before addition, so a client's {@code Connection} options can never
 * delete a field the gateway adds.
 */
final class ProxyHeaders {
    static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    static final AsciiString STRICT_TRANSPORT_SECURITY = AsciiString.cached("strict-transport-security");
    private static final AsciiString VIA_REQUEST_11 = AsciiString.cached("1.1 portcullis");
    private static final AsciiString VIA_REQUEST_10 = AsciiString.cached("1.0 portcullis");

    /** Fields that describe one connection, never forwarded (RFC 9110 §7.6.1 and the de-facto ones). */
    private static final AsciiString[] HOP_BY_HOP = {
        HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE, PROXY_CONNECTION, HttpHeaderNames.TE,
        HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE,
    };

    private ProxyHeaders() {}

    /**
     * Strips hop-by-hop fields in place. Fields the gateway needs to frame the message ({@code Host},
     * {@code Content-Length}) survive even when {@code Connection} names them.
     */
    static void removeHopByHop(HttpHeaders headers) {
        List<String> connection = headers.getAll(HttpHeaderNames.CONNECTION);
        for (int i = 0; i < connection.size(); i++) {
            removeConnectionOptions(headers, connection.get(i));
        }
        // "TE: trailers" is the one TE an HTTP/2 hop may carry, and gRPC servers look for it: it stays.
        boolean teTrailers = HttpHeaderValues.TRAILERS.contentEqualsIgnoreCase(headers.get(HttpHeaderNames.TE));
        for (AsciiString name : HOP_BY_HOP) {
            headers.remove(name);
        }
        if (teTrailers) {
            headers.set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
        }
    }

    private static void removeConnectionOptions(HttpHeaders headers, String value) {
        int start = 0;
        int n = value.length();
        while (start < n) {
            int comma = value.indexOf(',', start);
            int end = comma < 0 ? n : comma;
            String token = value.substring(start, end).trim();
            if (!token.isEmpty()
                    && !HttpHeaderNames.HOST.contentEqualsIgnoreCase(token)
                    && !HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(token)) {
                headers.remove(token);
            }
            start = end + 1;
        }
    }

    /** Adds the forwarding fields to a request about to go upstream. */
    static void addForwarded(HttpHeaders headers, String clientIp, String originalHost, String proto,
            boolean http10, String requestId) {
        List<String> hops = headers.getAll(X_FORWARDED_FOR);
        if (hops.isEmpty()) {
            headers.set(X_FORWARDED_FOR, clientIp);
        } else {
            // Repeated field lines are one comma-separated list (RFC 9110 §5.3): keep every hop, in order.
            StringBuilder sb = new StringBuilder(64);
            for (int i = 0; i < hops.size(); i++) {
                String hop = hops.get(i).trim();
                if (!hop.isEmpty()) {
                    sb.append(hop).append(", ");
                }
            }
            headers.set(X_FORWARDED_FOR, sb.append(clientIp).toString());
        }
        headers.set(X_FORWARDED_PROTO, proto);
        if (originalHost != null) {
            headers.set(X_FORWARDED_HOST, originalHost);
        } else {
            headers.remove(X_FORWARDED_HOST);
        }
        headers.add(HttpHeaderNames.VIA, http10 ? VIA_REQUEST_10 : VIA_REQUEST_11);
        headers.set(X_REQUEST_ID, requestId);
    }

    /** Adds the gateway's fields to a response about to go downstream. */
    static void addToResponse(HttpHeaders headers, boolean upstreamHttp10, String requestId) {
        headers.add(HttpHeaderNames.VIA, upstreamHttp10 ? VIA_REQUEST_10 : VIA_REQUEST_11);
        headers.set(X_REQUEST_ID, requestId);
    }
}
