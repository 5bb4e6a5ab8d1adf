package io.portcullis.security.ip;

import java.util.Arrays;
import java.util.List;

/**
 * The IPv4 half of an {@link IpSet}: the blocks merged into sorted, disjoint, non-adjacent ranges, searched with
 * one binary search. Values are stored with the sign bit flipped so that signed {@code int} order is unsigned
 * address order, which lets {@link Arrays#binarySearch(int[], int)} do the work on two flat arrays.
 */
final class Ipv4Ranges {
    static final Ipv4Ranges EMPTY = new Ipv4Ranges(new int[0], new int[0]);

    private final int[] starts;
    private final int[] ends;

    private Ipv4Ranges(int[] starts, int[] ends) {
        this.starts = starts;
        this.ends = ends;
    }

    static Ipv4Ranges of(List<Cidr> blocks) {
        if (blocks.isEmpty()) {
            return EMPTY;
        }
        // One long per block, (flipped start, end): signed long order is start order.
        long[] packed = new long[blocks.size()];
        for (int i = 0; i < packed.length; i++) {
            Cidr c = blocks.get(i);
            packed[i] = (long) (c.firstIpv4() ^ Integer.MIN_VALUE) << 32 | Integer.toUnsignedLong(c.lastIpv4());
        }
        Arrays.sort(packed);
        int[] starts = new int[packed.length];
        int[] ends = new int[packed.length];
        int count = 0;
        long start = startOf(packed[0]);
        long end = endOf(packed[0]);
        for (int i = 1; i < packed.length; i++) {
            long s = startOf(packed[i]);
            if (s <= end + 1) { // overlapping or adjacent: one range (longs, so end + 1 cannot overflow)
                end = Math.max(end, endOf(packed[i]));
            } else {
                starts[count] = (int) start ^ Integer.MIN_VALUE;
                ends[count++] = (int) end ^ Integer.MIN_VALUE;
                start = s;
                end = endOf(packed[i]);
            }
        }
        starts[count] = (int) start ^ Integer.MIN_VALUE;
        ends[count++] = (int) end ^ Integer.MIN_VALUE;
        return new Ipv4Ranges(Arrays.copyOf(starts, count), Arrays.copyOf(ends, count));
    }

    private static long startOf(long packed) {
        return Integer.toUnsignedLong((int) (packed >> 32) ^ Integer.MIN_VALUE);
    }

    private static long endOf(long packed) {
        return packed & 0xffffffffL;
    }

    boolean contains(int address) {
        int key = address ^ Integer.MIN_VALUE;
        int i = Arrays.binarySearch(starts, key);
        if (i >= 0) {
            return true;
        }
        int before = -i - 2;
        return before >= 0 && key <= ends[before];
    }

    /** Ranges after merging; for tests and logs. */
    int size() {
        return starts.length;
    }
}
