package io.portcullis.ratelimit.anomaly;

/**
 * Distinct-path counting in one {@code long}: each path sets one of 64 bits by its hash, and the number of distinct
 * paths is estimated from the bits still clear (linear counting, Whang et al. 1990: {@code n ≈ -m·ln(zeros/m)}).
 * Cheap enough for the request path (one hash, one atomic OR), mergeable across seconds by OR, and small enough to
 * keep one per client IP per second. Accurate to a path or two up to a few dozen distinct paths, which is where the
 * scanning threshold sits; from about 260 it saturates, which only ever says "many".
 */
final class PathSketch {
    private static final int BITS = Long.SIZE;
    /** What a full sketch reports: {@code m·ln(m)}, roughly where all bits are expected to be set. */
    static final int SATURATED = (int) Math.round(BITS * Math.log(BITS));

    private PathSketch() {
    }

    /**
     * The bit {@code path} sets. Linear counting assumes bits chosen at random, and {@link String#hashCode} is far
     * from it: paths that differ in one character (what scanners send) have hashes in arithmetic progression. A
     * multiplicative hash would spread those too evenly (fewer collisions than chance, so estimates 15 % high); the
     * MurmurHash3 finalizer makes them look random.
     */
    static long bit(String path) {
        long h = path.hashCode();
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return 1L << h; // shifts use the low 6 bits
    }

    static int estimate(long bits) {
        int zeros = Long.bitCount(~bits);
        if (zeros == 0) {
            return SATURATED;
        }
        return (int) Math.round(-BITS * Math.log((double) zeros / BITS));
    }
}
