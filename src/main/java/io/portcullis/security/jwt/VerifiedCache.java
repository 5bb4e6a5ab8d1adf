package io.portcullis.security.jwt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Verified tokens by the SHA-256 of the token, so a hot client pays a hash instead of a signature, and the cache
 * never holds bearer credentials. Each entry lives until the token's {@code exp} plus skew; the verifier still
 * re-checks the times on a hit (the clock may be ahead of the cache's ticker) and that the signing key is still in
 * the key set (so a key pulled from the JWKS stops its cached tokens too). Rejections are not cached: the cheap ones
 * cost less than a lookup, and caching bad signatures would let garbage evict good entries.
 */
final class VerifiedCache {
    /** Full 256 bits: a truncated hash would make collisions with a cached valid token cheaper to find. */
    record Digest(long a, long b, long c, long d) {
    }

    record Entry(Verified verified, String keyThumbprint) {
    }

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    });

    private final Cache<Digest, Entry> cache;

    /** @param maxEntries 0 disables caching (every request pays the signature, as in the cold benchmark) */
    VerifiedCache(long maxEntries, ClaimsPolicy policy) {
        this.cache = maxEntries == 0 ? null : Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .expireAfter(Expiry.<Digest, Entry>creating((k, v) -> policy.remaining(v.verified().expiresAt())))
                .executor(Runnable::run) // maintenance on the request's thread: no pool task and wake-up per drain
                .build();
    }

    /** The token's digest, or null when caching is off (so the off path does not hash). */
    Digest digest(String token) {
        if (cache == null) {
            return null;
        }
        // Tokens reaching here are at most a few KiB; chars past U+00FF become '?', which no cached token holds.
        byte[] hash = SHA256.get().digest(token.getBytes(StandardCharsets.ISO_8859_1));
        ByteBuffer b = ByteBuffer.wrap(hash);
        return new Digest(b.getLong(), b.getLong(), b.getLong(), b.getLong());
    }

    Entry get(Digest digest) {
        return cache.getIfPresent(digest);
    }

    void put(Digest digest, Verified verified, String keyThumbprint) {
        if (digest != null) {
            cache.put(digest, new Entry(verified, keyThumbprint));
        }
    }

    void invalidate(Digest digest) {
        cache.invalidate(digest);
    }

    long size() {
        return cache == null ? 0 : cache.estimatedSize();
    }
}
