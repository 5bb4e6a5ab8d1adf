package io.portcullis.route;

import java.util.Map;

/**
 * An immutable open-addressing hash table from strings, looked up by a region of a larger string and that region's
 * {@link String#hashCode()}. The router computes those hashes incrementally while scanning a host or path once, so
 * it can probe every candidate prefix or suffix without creating substrings: each probe costs O(1) memory reads
 * plus one region comparison, whatever the number of keys.
 */
final class StringTable<V> {

    private final int mask;
    private final int[] hashes;
    private final String[] keys;
    private final Object[] values;

    StringTable(Map<String, V> entries) {
        int capacity = Integer.highestOneBit(Math.max(1, entries.size()) * 2 - 1) << 1;
        this.mask = capacity - 1;
        this.hashes = new int[capacity];
        this.keys = new String[capacity];
        this.values = new Object[capacity];
        for (Map.Entry<String, V> e : entries.entrySet()) {
            int hash = e.getKey().hashCode();
            int i = spread(hash) & mask;
            while (keys[i] != null) {
                i = (i + 1) & mask;
            }
            hashes[i] = hash;
            keys[i] = e.getKey();
            values[i] = e.getValue();
        }
    }

    /** @return the value for the whole of {@code s}, or null */
    V get(String s) {
        return get(s, 0, s.length(), s.hashCode());
    }

    /**
     * @param hash {@code s.substring(start, start + length).hashCode()}, computed by the caller without the substring
     * @return the value whose key equals that region of {@code s}, or null
     */
    @SuppressWarnings("unchecked")
    V get(String s, int start, int length, int hash) {
        int i = spread(hash) & mask;
        String key;
        while ((key = keys[i]) != null) {
            if (hashes[i] == hash && key.length() == length && s.regionMatches(start, key, 0, length)) {
                return (V) values[i];
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    private static int spread(int hash) {
        return hash ^ (hash >>> 16);
    }
}
