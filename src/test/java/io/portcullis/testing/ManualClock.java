package io.portcullis.testing;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A nano clock that moves only when a test says so, for code that takes its time as a {@link LongSupplier}
 * (STYLE habits 6 and 9). Thread-safe, so one test thread can advance it while others read it.
 */
public final class ManualClock implements LongSupplier {
    /** Not zero, so code that quietly assumes the clock starts at zero fails; System.nanoTime makes no such promise. */
    public static final long DEFAULT_START = 1_000_000_000_000L;

    private final AtomicLong nanos;

    public ManualClock() {
        this(DEFAULT_START);
    }

    public ManualClock(long startNanos) {
        this.nanos = new AtomicLong(startNanos);
    }

    @Override
    public long getAsLong() {
        return nanos.get();
    }

    public void advance(Duration by) {
        advanceNanos(by.toNanos());
    }

    public void advanceNanos(long by) {
        if (by < 0) {
            throw new IllegalArgumentException("a clock only moves forward, by was " + by);
        }
        nanos.addAndGet(by);
    }
}
