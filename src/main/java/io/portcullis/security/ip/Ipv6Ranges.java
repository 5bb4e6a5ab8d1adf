package io.portcullis.security.ip;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The IPv6 half of an {@link IpSet}: the blocks merged into sorted, disjoint, non-adjacent 128-bit ranges, each
 * stored as two longs (high, low) side by side in one array, searched with one binary search. Words are stored with
 * the sign bit flipped so that signed comparisons give unsigned address order.
 */
final class Ipv6Ranges {
    static final Ipv6Ranges EMPTY = new Ipv6Ranges(new long[0], new long[0]);

    /** {@code starts[2i]}, {@code starts[2i + 1]}: high and low word of range i, sign bits flipped; ends alike. */
    private final long[] starts;
    private final long[] ends;

    private Ipv6Ranges(long[] starts, long[] ends) {
        this.starts = starts;
        this.ends = ends;
    }

    private record Range(long startHigh, long startLow, long endHigh, long endLow) {}

    private static final Comparator<Range> BY_START = (a, b) -> {
        int c = Long.compareUnsigned(a.startHigh, b.startHigh);
        return c != 0 ? c : Long.compareUnsigned(a.startLow, b.startLow);
    };

    static Ipv6Ranges of(List<Cidr> blocks) {
        if (blocks.isEmpty()) {
            return EMPTY;
        }
        Range[] ranges = new Range[blocks.size()];
        for (int i = 0; i < ranges.length; i++) {
            Cidr c = blocks.get(i);
            ranges[i] = new Range(c.firstHigh(), c.firstLow(), c.lastHigh(), c.lastLow());
        }
        Arrays.sort(ranges, BY_START);
        long[] starts = new long[ranges.length * 2];
        long[] ends = new long[ranges.length * 2];
        int count = 0;
        Range current = ranges[0];
        for (int i = 1; i < ranges.length; i++) {
            Range next = ranges[i];
            if (touches(current, next)) {
                if (compare(next.endHigh, next.endLow, current.endHigh, current.endLow) > 0) {
                    current = new Range(current.startHigh, current.startLow, next.endHigh, next.endLow);
                }
            } else {
                put(starts, ends, count++, current);
                current = next;
            }
        }
        put(starts, ends, count++, current);
        return new Ipv6Ranges(Arrays.copyOf(starts, count * 2), Arrays.copyOf(ends, count * 2));
    }

    /** {@code next} starts inside {@code current} or right after it (so the two become one range). */
    private static boolean touches(Range current, Range next) {
        if (current.endHigh == -1L && current.endLow == -1L) {
            return true; // current reaches the top of the space
        }
        long afterLow = current.endLow + 1;
        long afterHigh = afterLow == 0 ? current.endHigh + 1 : current.endHigh;
        return compare(next.startHigh, next.startLow, afterHigh, afterLow) <= 0;
    }

    private static int compare(long aHigh, long aLow, long bHigh, long bLow) {
        int c = Long.compareUnsigned(aHigh, bHigh);
        return c != 0 ? c : Long.compareUnsigned(aLow, bLow);
    }

    private static void put(long[] starts, long[] ends, int i, Range r) {
        starts[2 * i] = r.startHigh ^ Long.MIN_VALUE;
        starts[2 * i + 1] = r.startLow ^ Long.MIN_VALUE;
        ends[2 * i] = r.endHigh ^ Long.MIN_VALUE;
        ends[2 * i + 1] = r.endLow ^ Long.MIN_VALUE;
    }

    boolean contains(long high, long low) {
        long h = high ^ Long.MIN_VALUE;
        long l = low ^ Long.MIN_VALUE;
        int lo = 0;
        int hi = starts.length / 2 - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long sh = starts[2 * mid];
            if (sh < h || sh == h && starts[2 * mid + 1] <= l) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0) {
            return false;
        }
        long eh = ends[2 * found];
        return h < eh || h == eh && l <= ends[2 * found + 1];
    }

    /** Ranges after merging; for tests and logs. */
    int size() {
        return starts.length / 2;
    }
}
