package io.portcullis.observe;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * One series of a duration histogram with the fixed {@link MetricNames#DURATION_BUCKETS}, recorded on event loops.
 *
 * <p>Used instead of a Micrometer {@code Timer} because of what {@code RouteMetricsBenchmark} measured: a timer with
 * fixed buckets reads the wall clock twice per record (its decaying max and its histogram's rotation check) and
 * increments one shared {@code AtomicLongArray}, about 95 ns alone and over 400 ns once two event loops record into
 * the same route. Here a record is a short bucket scan and two {@link LongAdder} updates, which stripe under
 * contention. The price: no Micrometer meter (and no {@code _max} series); {@link HistogramCollector} exposes the
 * series straight to the Prometheus registry.
 */
final class DurationHistogram {
    private static final long[] BOUNDS_NANOS = MetricNames.DURATION_BUCKETS.stream()
            .mapToLong(Duration::toNanos).toArray();
    /** Upper bounds in seconds, the last being +Inf as Prometheus requires. */
    private static final double[] BOUNDS_SECONDS = bucketsInSeconds();

    /** Per-bucket (not cumulative) counts; the last bucket is everything above the highest bound. */
    private final LongAdder[] counts = new LongAdder[BOUNDS_NANOS.length + 1];
    private final LongAdder sumNanos = new LongAdder();

    DurationHistogram() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    private static double[] bucketsInSeconds() {
        double[] seconds = new double[BOUNDS_NANOS.length + 1];
        for (int i = 0; i < BOUNDS_NANOS.length; i++) {
            seconds[i] = BOUNDS_NANOS[i] / 1e9;
        }
        seconds[BOUNDS_NANOS.length] = Double.POSITIVE_INFINITY;
        return seconds;
    }

    /** Lock-free; allocation-free once the adders have striped. {@code nanos} must be >= 0. */
    void record(long nanos) {
        // Linear: most exchanges land in the first few buckets, and 14 bounds fit in two cache lines.
        int i = 0;
        while (i < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[i]) {
            i++;
        }
        counts[i].increment();
        sumNanos.add(nanos);
    }

    /**
     * The series as it stands. Buckets are read one by one while records go on, so the count (their total) may be
     * an exchange or two apart from the sum; each bucket stays monotonic, which is what rate() needs.
     */
    HistogramDataPointSnapshot snapshot(Labels labels) {
        long[] perBucket = new long[counts.length];
        for (int i = 0; i < counts.length; i++) {
            perBucket[i] = counts[i].sum();
        }
        return HistogramDataPointSnapshot.builder()
                .labels(labels)
                .classicHistogramBuckets(ClassicHistogramBuckets.of(BOUNDS_SECONDS, perBucket))
                .sum(sumNanos.sum() / 1e9)
                .build();
    }
}
