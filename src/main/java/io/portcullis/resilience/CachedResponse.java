package io.portcullis.resilience;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One stored response in the {@link ResponseCache}: written when a cacheable response completes, replayed as a
 * circuit-breaker fallback. Immutable: the constructor copies the headers and the body, and {@link #body()} hands
 * out a copy, so neither the exchange that stored it nor one that replays it can change what the next one sees.
 *
 * <p>{@code headers} are end-to-end fields only, in order; the caller strips hop-by-hop fields before storing.
 * {@code storedAtNanos} is the cache ticker's time at storing, for an {@code Age} header on replay.
 */
public record CachedResponse(int status, List<Map.Entry<String, String>> headers, byte[] body, long storedAtNanos) {
    public CachedResponse {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status must be in [100, 599], was " + status);
        }
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(body, "body");
        List<Map.Entry<String, String>> copy = new ArrayList<>(headers.size());
        for (Map.Entry<String, String> header : headers) {
            Objects.requireNonNull(header, "headers entry");
            // Map.entry is immutable and refuses nulls, which also detaches us from a mutable entry type.
            copy.add(Map.entry(header.getKey(), header.getValue()));
        }
        headers = Collections.unmodifiableList(copy);
        body = body.clone();
    }

    /** A copy of the body; use {@link #bodyLength()} when only its size matters. */
    @Override
    public byte[] body() {
        return body.clone();
    }

    public int bodyLength() {
        return body.length;
    }

    /** Approximate bytes of the header block: each field as {@code name: value\r\n}. */
    public long headerBytes() {
        long bytes = 0;
        for (Map.Entry<String, String> header : headers) {
            bytes += header.getKey().length() + header.getValue().length() + 4;
        }
        return bytes;
    }

    // A record compares arrays by identity; a stored response is a value.
    @Override
    public boolean equals(Object o) {
        return o instanceof CachedResponse other
                && status == other.status
                && storedAtNanos == other.storedAtNanos
                && headers.equals(other.headers)
                && Arrays.equals(body, other.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, headers, Arrays.hashCode(body), storedAtNanos);
    }

    @Override
    public String toString() {
        return "CachedResponse[status=" + status + ", headers=" + headers + ", body=" + body.length
                + " bytes, storedAtNanos=" + storedAtNanos + "]";
    }
}
