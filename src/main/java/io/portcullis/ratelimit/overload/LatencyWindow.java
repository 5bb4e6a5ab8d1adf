package io.portcullis.ratelimit.overload;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * The samples of one measurement window of {@link AdaptiveLimit}. Every event loop adds to the same window, so the
 * counters are striped ({@link LongAdder}, {@link LongAccumulator}): adding a sample is a few uncontended cell
 * updates, and the sums are read once, by the thread that {@link #claim() claims} the window when it ends.
 *
 * <p>A sample added after the claim, by a thread that read the window just before it was replaced, is lost; that is
 * one sample in a window of many, and the price of never locking. A sample being added while the claimer reads may
 * have its round trip in the sum but not yet in the count ({@link #add} adds the round trip first, and the claimer
 * reads the count first), so a window's mean can come out a little high, never low.
 */
final class LatencyWindow {
    private final long startNanos;
    private final LongAdder rttSum = new LongAdder();
    private final LongAdder measured = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAccumulator maxInFlight = new LongAccumulator(Math::max, 0);
    private final AtomicBoolean claimed = new AtomicBoolean();

    LatencyWindow(long startNanos) {
        this.startNanos = startNanos;
    }

    void add(long rttNanos, int inFlight, boolean drop) {
        if (drop) {
            // A timeout's duration is the timeout and a refused connect's is near zero: neither says how long
            // the backend takes, so drops count only as drops.
            dropped.increment();
        } else {
            rttSum.add(rttNanos);
            measured.increment();
        }
        maxInFlight.accumulate(inFlight);
    }

    /** Whether the window has run its time and holds enough samples to be judged. */
    boolean isDue(long now, long windowNanos, int minSamples) {
        return now - startNanos >= windowNanos && measured.sum() + dropped.sum() >= minSamples;
    }

    /** True for exactly one caller: the one that closes the window and recomputes the limit. */
    boolean claim() {
        return !claimed.get() && claimed.compareAndSet(false, true);
    }

    long measured() {
        return measured.sum();
    }

    long dropped() {
        return dropped.sum();
    }

    /** Summed round trips of the samples that were not drops. */
    long rttSumNanos() {
        return rttSum.sum();
    }

    long maxInFlight() {
        return maxInFlight.get();
    }
}
