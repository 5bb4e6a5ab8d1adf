package io.portcullis.server;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.List;

/**
 * Checks a decoded request head against RFC 9110/9112 before routing, for what the decoder leaves to the
 * application: version, method syntax, Host cardinality and syntax, and the exact framing fields a proxy can
 * forward safely. Returns a reason to refuse, or null. Allocation-free for ordinary requests.
 */
final class RequestValidator {
    private static final boolean[] TCHAR = new boolean[128];
    private static final boolean[] HOST_CHAR = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) TCHAR[c] = HOST_CHAR[c] = true;
        for (char c = 'a'; c <= 'z'; c++) TCHAR[c] = HOST_CHAR[c] = true;
        for (char c = 'A'; c <= 'Z'; c++) TCHAR[c] = HOST_CHAR[c] = true;
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) TCHAR[c] = true;
        for (char c : "-._~!$&'()*+,;=:[]%".toCharArray()) HOST_CHAR[c] = true;
    }

    private RequestValidator() {}

    /** Maps a Netty decoder failure to the status a client should see. */
    static ErrorReason reasonFor(Throwable cause) {
        if (cause instanceof RejectedRequestException r) {
            return r.reason();
        }
        if (cause instanceof TooLongHttpLineException) {
            return ErrorReason.REQUEST_LINE_TOO_LONG;
        }
        if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            return ErrorReason.HEADERS_TOO_LARGE;
        }
        String message = cause == null ? null : cause.getMessage();
        if (message != null && (message.contains("Content-Length") || message.contains("Transfer-Encoding")
                || message.contains("chunked"))) {
            return ErrorReason.INVALID_FRAMING;
        }
        return ErrorReason.BAD_REQUEST;
    }

    static ErrorReason validate(HttpRequest request) {
        HttpVersion version = request.protocolVersion();
        if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
            return version.majorVersion() == 1 || version.majorVersion() == 2 || version.majorVersion() == 3
                    ? ErrorReason.UNSUPPORTED_VERSION : ErrorReason.BAD_REQUEST;
        }
        if (!isToken(request.method().name())) {
            return ErrorReason.BAD_REQUEST;
        }
        if (request.method() == HttpMethod.CONNECT) {
            return ErrorReason.NOT_IMPLEMENTED;
        }
        HttpHeaders headers = request.headers();
        List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            return ErrorReason.DUPLICATE_HOST;
        }
        if (hosts.isEmpty()) {
            if (version == HttpVersion.HTTP_1_1) {
                return ErrorReason.MISSING_HOST;
            }
        } else if (!isHost(hosts.get(0))) {
            return ErrorReason.INVALID_HEADER;
        }
        List<String> te = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (!te.isEmpty() && (te.size() != 1 || !te.get(0).trim().equalsIgnoreCase("chunked"))) {
            // Netty already refuses a non-final chunked; any other coding we cannot re-frame faithfully.
            return ErrorReason.INVALID_FRAMING;
        }
        List<String> cl = headers.getAll(HttpHeaderNames.CONTENT_LENGTH);
        for (int i = 0; i < cl.size(); i++) {
            if (!isDigits(cl.get(i).trim())) {
                return ErrorReason.INVALID_FRAMING;
            }
        }
        return null;
    }

    static boolean isToken(String s) {
        int n = s.length();
        if (n == 0) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 128 || !TCHAR[c]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isHost(String s) {
        int n = s.length();
        if (n == 0) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 128 || !HOST_CHAR[c]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigits(String s) {
        int n = s.length();
        if (n == 0 || n > 18) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
