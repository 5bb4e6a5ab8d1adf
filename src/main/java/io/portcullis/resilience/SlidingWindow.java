package io.portcullis.resilience;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Call outcomes over the last {@code window} of time, for one closed period of a {@link CircuitBreaker}: the window
 * is split into {@link #BUCKETS} buckets of equal width, and a bucket counts calls, failures and slow calls for one
 * width of time. Recorded from every event loop, without locks or allocation.
 *
 * <p>Each bucket carries the epoch (time / width) it counts for, so a bucket left over from an earlier lap is reset
 * lazily by the first writer of its new epoch. That writer first marks the bucket {@link #RESETTING}, then resets
 * the counts, then publishes the new epoch. Writers that find the mark drop their call rather than wait (a lost
 * count is harmless; a writer waiting on a descheduled resetter would be a lock). Readers read the epoch before and
 * after the counts and skip a bucket whose epoch changed, so they never mix two epochs' counts; and since writers
 * add to calls before failures and slow calls while readers read them in the opposite order, a reader never sees
 * more failures than calls.
 *
 * <p>The counts are {@link LongAdder}s: every event loop adds to the current bucket, and a single atomic per bucket
 * would bounce its cache line between the loops on every call. The epochs, read on every call but written once per
 * bucket width, sit one per cache line.
 *
 * <p>The window really covers between {@code BUCKETS - 1} and {@code BUCKETS} widths, depending on where in the
 * current bucket "now" falls: the usual price of bucketing.
 */
final class SlidingWindow {
    static final int BUCKETS = 10;

    private static final long EMPTY = -1;
    private static final long RESETTING = -2;
    /** Longs per epoch slot: one 64-byte cache line each. */
    private static final int STRIDE = 8;

    private final long origin;
    private final long width;
    private final AtomicLongArray epochs = new AtomicLongArray(BUCKETS * STRIDE);
    private final LongAdder[] calls = adders();
    private final LongAdder[] failures = adders();
    private final LongAdder[] slow = adders();

    /** @param origin the clock reading when this window starts; epochs count from it so they are never negative */
    SlidingWindow(long windowNanos, long origin) {
        this.origin = origin;
        this.width = Math.max(1, windowNanos / BUCKETS);
        for (int b = 0; b < BUCKETS; b++) {
            epochs.set(b * STRIDE, EMPTY);
        }
    }

    void record(long now, boolean failure, boolean slowCall) {
        long epoch = epoch(now);
        int b = (int) (epoch % BUCKETS);
        long seen = epochs.get(b * STRIDE);
        if (seen != epoch) {
            // A newer epoch means our clock reading is stale (we were descheduled); RESETTING means another writer
            // is starting this epoch. Either way the call is dropped rather than counted in the wrong place.
            if (seen > epoch || seen == RESETTING || !epochs.compareAndSet(b * STRIDE, seen, RESETTING)) {
                return;
            }
            calls[b].reset();
            failures[b].reset();
            slow[b].reset();
            add(b, failure, slowCall);
            epochs.set(b * STRIDE, epoch);
            return;
        }
        add(b, failure, slowCall);
    }

    /**
     * Whether at least {@code minimumCalls} calls are in the window and the failure or slow-call percentage reaches
     * its threshold. Primitive-only, so the breaker can ask after every bad outcome without allocating.
     */
    boolean exceeds(long now, int minimumCalls, double failurePercent, double slowPercent) {
        long current = epoch(now);
        long c = 0;
        long f = 0;
        long s = 0;
        for (int b = 0; b < BUCKETS; b++) {
            long epoch = epochs.get(b * STRIDE);
            if (epoch <= current - BUCKETS || epoch > current) {
                continue; // EMPTY, RESETTING, an old lap, or a bucket a writer with a later clock reading started
            }
            long bf = failures[b].sum();
            long bs = slow[b].sum();
            long bc = calls[b].sum();
            if (epochs.get(b * STRIDE) == epoch) {
                c += bc;
                f += bf;
                s += bs;
            }
        }
        return c >= minimumCalls && (f * 100.0 >= failurePercent * c || s * 100.0 >= slowPercent * c);
    }

    /** The same sums as {@link #exceeds}, as a value; allocates, so for transitions and the admin API only. */
    Counts counts(long now) {
        long current = epoch(now);
        long c = 0;
        long f = 0;
        long s = 0;
        for (int b = 0; b < BUCKETS; b++) {
            long epoch = epochs.get(b * STRIDE);
            if (epoch <= current - BUCKETS || epoch > current) {
                continue;
            }
            long bf = failures[b].sum();
            long bs = slow[b].sum();
            long bc = calls[b].sum();
            if (epochs.get(b * STRIDE) == epoch) {
                c += bc;
                f += bf;
                s += bs;
            }
        }
        return new Counts(c, f, s);
    }

    private void add(int b, boolean failure, boolean slowCall) {
        calls[b].increment();
        if (failure) {
            failures[b].increment();
        }
        if (slowCall) {
            slow[b].increment();
        }
    }

    private long epoch(long now) {
        // The clock may be read by a thread that saw this window before its creator's reading; clamp, never negative.
        return Math.max(0, now - origin) / width;
    }

    private static LongAdder[] adders() {
        LongAdder[] adders = new LongAdder[BUCKETS];
        for (int b = 0; b < BUCKETS; b++) {
            adders[b] = new LongAdder();
        }
        return adders;
    }

    record Counts(long calls, long failures, long slow) {
        double failurePercent() {
            return failures * 100.0 / calls;
        }

        double slowPercent() {
            return slow * 100.0 / calls;
        }
    }
}
