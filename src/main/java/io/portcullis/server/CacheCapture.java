package io.portcullis.server;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.portcullis.resilience.CachedResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A copy of a successful response as it streams to the client, for the route's cache fallback: the status, the
 * end-to-end header fields (without the request id, which belongs to this exchange) and the body up to the entry
 * limit. Only routes with {@code fallback.cache} pay for the copy.
 */
final class CacheCapture {
    private final int status;
    private final List<Map.Entry<String, String>> headers = new ArrayList<>();
    private final int maxBytes;
    private byte[] body = new byte[256];
    private int length;
    private boolean tooLarge;

    CacheCapture(int status, HttpHeaders responseHeaders, int maxBytes) {
        this.status = status;
        this.maxBytes = maxBytes;
        for (Map.Entry<String, String> h : responseHeaders) {
            if (!h.getKey().equalsIgnoreCase(ProxyHeaders.X_REQUEST_ID.toString())) {
                headers.add(Map.entry(h.getKey(), h.getValue()));
            }
        }
    }

    void add(ByteBuf chunk) {
        int n = chunk.readableBytes();
        if (tooLarge || n == 0) {
            return;
        }
        if (length + n > maxBytes) {
            tooLarge = true;
            body = null;
            return;
        }
        if (length + n > body.length) {
            body = Arrays.copyOf(body, Math.min(maxBytes, Math.max(body.length * 2, length + n)));
        }
        chunk.getBytes(chunk.readerIndex(), body, length, n);
        length += n;
    }

    boolean complete() {
        return !tooLarge;
    }

    CachedResponse toResponse() {
        return new CachedResponse(status, headers, Arrays.copyOf(body, length), System.nanoTime());
    }
}
