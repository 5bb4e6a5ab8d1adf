package io.portcullis.resilience;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The last good response per request key, kept for circuit-breaker fallbacks (stale-if-error): bounded in bytes,
 * entries expire a TTL after they were written. Thread-safe; read when a breaker is open, written when a cacheable
 * response completes.
 *
 * <p>The cache does not judge what is safe to replay: the caller decides which statuses and methods are cacheable,
 * honours {@code Cache-Control} and passes end-to-end header fields only. What it is given, it stores.
 *
 * <p>Caffeine does the bounding (W-TinyLFU may refuse a new entry in favour of frequently read ones) with its
 * maintenance run on the calling thread, so a test with a fake ticker sees expiry and eviction as it happens.
 */
public final class ResponseCache {
    /** A rough price of an entry beyond its bytes: the record, the arrays, the header entries, Caffeine's node. */
    static final int ENTRY_OVERHEAD = 160;

    private final Cache<String, CachedResponse> cache;
    private final long maxBytes;
    private final int maxEntryBytes;

    public ResponseCache(long maxBytes, Duration ttl, int maxEntryBytes, Ticker ticker) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be > 0, was " + maxBytes);
        }
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be > 0, was " + ttl);
        }
        if (maxEntryBytes < 0) {
            throw new IllegalArgumentException("maxEntryBytes must be >= 0, was " + maxEntryBytes);
        }
        Objects.requireNonNull(ticker, "ticker");
        this.maxBytes = maxBytes;
        this.maxEntryBytes = maxEntryBytes;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher(ResponseCache::weigh)
                .expireAfterWrite(ttl)
                .ticker(ticker)
                .executor(Runnable::run)
                .build();
    }

    /**
     * The key of a request: {@code method + " " + host + pathAndQuery}, then for each name in {@code varyHeaders}, in
     * the given order, {@code "\n" + name + ": " + values} with the name in lower case (field names are
     * case-insensitive) and all of the request's values of that field joined by {@code ","} (RFC 9110 treats the
     * two spellings of a list as one). A field the request lacks adds {@code "\n" + name} alone, so that an absent
     * field and an empty one select different entries (RFC 9111, section 4.1). The host is lower-cased as well.
     */
    public static String key(String method, String host, String pathAndQuery, HttpHeaders headers,
            List<String> varyHeaders) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(pathAndQuery, "pathAndQuery");
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(varyHeaders, "varyHeaders");
        StringBuilder key = new StringBuilder(method.length() + host.length() + pathAndQuery.length() + 1);
        key.append(method).append(' ').append(host.toLowerCase(Locale.ROOT)).append(pathAndQuery);
        for (String name : varyHeaders) {
            key.append('\n').append(name.toLowerCase(Locale.ROOT));
            List<String> values = headers.getAll(name);
            if (!values.isEmpty()) {
                key.append(": ").append(String.join(",", values));
            }
        }
        return key.toString();
    }

    /** The stored response, or null when there is none or it has expired. */
    public CachedResponse get(String key) {
        return cache.getIfPresent(Objects.requireNonNull(key, "key"));
    }

    /**
     * Stores {@code response} under {@code key}, replacing what was there. Returns false, storing nothing, when the
     * body is longer than {@code maxEntryBytes} or the entry alone would outweigh the whole cache.
     */
    public boolean put(String key, CachedResponse response) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(response, "response");
        if (response.bodyLength() > maxEntryBytes || weight(key, response) > maxBytes) {
            return false;
        }
        cache.put(key, response);
        return true;
    }

    /** Bytes held by the entries, as weighed, after pending expiry and eviction have run. */
    public long weightedSize() {
        cache.cleanUp();
        return cache.policy().eviction().orElseThrow().weightedSize().orElseThrow();
    }

    static long weight(String key, CachedResponse response) {
        return (long) key.length() + response.bodyLength() + response.headerBytes() + ENTRY_OVERHEAD;
    }

    private static int weigh(String key, CachedResponse response) {
        return (int) Math.min(Integer.MAX_VALUE, weight(key, response));
    }
}
