package io.portcullis.upstream.lb;

/**
 * 64-bit hashes for the hash policies: {@link #hash(CharSequence)} for request keys (the caller picks the key: a
 * header, a cookie, the client address) and {@link #mix(long)} for ring and table positions.
 *
 * <p>Not {@link String#hashCode()}: 32 bits collide too often on a ring, and its low bits are poorly mixed.
 */
public final class Hashing {
    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P3 = 0x165667B19E3779F9L;
    private static final long P4 = 0x85EBCA77C2B2AE63L;
    private static final long P5 = 0x27D4EB2F165667C5L;

    private Hashing() {
    }

    /**
     * xxHash64-style hash of the UTF-16 code units, four per 64-bit lane; allocation-free. Equal char sequences hash
     * equally whatever their class; the value is stable across runs and JVMs, so it may be used for stickiness.
     */
    public static long hash(CharSequence s) {
        int len = s.length();
        long h = P5 + (long) len * 2;
        int i = 0;
        for (; i + 4 <= len; i += 4) {
            long k = s.charAt(i) | (long) s.charAt(i + 1) << 16 | (long) s.charAt(i + 2) << 32
                    | (long) s.charAt(i + 3) << 48;
            h ^= round(k);
            h = Long.rotateLeft(h, 27) * P1 + P4;
        }
        for (; i < len; i++) {
            h ^= s.charAt(i) * P5;
            h = Long.rotateLeft(h, 11) * P1;
        }
        return avalanche(h);
    }

    /** murmur3's fmix64: a bijection on longs whose every output bit depends on every input bit. */
    public static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xFF51AFD7ED558CCDL;
        k ^= k >>> 33;
        k *= 0xC4CEB9FE1A85EC53L;
        k ^= k >>> 33;
        return k;
    }

    private static long round(long k) {
        return Long.rotateLeft(k * P2, 31) * P1;
    }

    private static long avalanche(long h) {
        h ^= h >>> 33;
        h *= P2;
        h ^= h >>> 29;
        h *= P3;
        h ^= h >>> 32;
        return h;
    }
}
