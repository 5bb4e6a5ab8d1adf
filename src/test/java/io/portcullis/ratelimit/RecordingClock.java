package io.portcullis.ratelimit;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * {@link System#nanoTime} that remembers its first reading, its latest, and each thread's last one, so a test on the
 * real clock can compute exact bounds from the instants the limiter itself saw.
 */
final class RecordingClock implements LongSupplier {
    private final AtomicLong first = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong max = new AtomicLong(Long.MIN_VALUE);
    private final ThreadLocal<long[]> last = ThreadLocal.withInitial(() -> new long[1]);

    @Override
    public long getAsLong() {
        long now = System.nanoTime();
        first.compareAndSet(Long.MIN_VALUE, now);
        max.accumulateAndGet(now, Math::max);
        last.get()[0] = now;
        return now;
    }

    /** Forgets the readings so far, e.g. those of a warm-up. */
    void forget() {
        first.set(Long.MIN_VALUE);
        max.set(Long.MIN_VALUE);
    }

    long first() {
        return first.get();
    }

    long max() {
        return max.get();
    }

    /** This thread's last reading. */
    long lastRead() {
        return last.get()[0];
    }
}
