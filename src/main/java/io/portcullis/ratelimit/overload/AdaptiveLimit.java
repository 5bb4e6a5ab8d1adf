package io.portcullis.ratelimit.overload;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * The gateway-wide concurrency limit, learnt from latency with a gradient (Netflix concurrency-limits'
 * {@code Gradient2} over windows, with Envoy adaptive concurrency's {@code sqrt(limit)} headroom). Read by
 * {@link PriorityAdmission} on every admission and fed by it when each admitted request finishes.
 *
 * <h2>Algorithm</h2>
 * Samples collect in windows of at least {@code window} and {@code minWindowSamples} samples. When a window ends:
 * <pre>
 *   sampleRtt = mean round trip of the window's non-dropped samples
 *   baseline  = sampleRtt                                   if sampleRtt &lt; baseline (or no baseline yet)
 *             = baseline + (sampleRtt - baseline) * window / baselineRecovery  otherwise
 *   gradient  = clamp(min(tolerance * baseline / sampleRtt, 1 - droppedFraction), 0.5, 1.0)
 *   target    = limit * gradient + sqrt(limit)
 *   limit     = limit * (1 - smoothing) + target * smoothing, never above the old limit while the window's
 *               peak in-flight stayed under half of it, then clamped to [minLimit, maxLimit]
 * </pre>
 * <ul>
 *   <li>The <b>baseline</b> is the no-load round trip. It falls at once to a lower window mean and rises only slowly
 *       (time constant {@code baselineRecovery}), so a lasting overload cannot quickly teach it that queueing is
 *       normal, while a backend that became slower for good is accepted after a while. Each window counts as
 *       {@code window} of evidence even if it took longer to collect its samples: a window stretched by a quiet
 *       hour must not reset the baseline in one step. (Envoy measures it by pinning
 *       concurrency low every minute; a gateway-wide pin would refuse traffic of every route, so it is not done.)
 *   <li>A sample {@code tolerance} times the baseline is still "no queueing"; above it the gradient shrinks the
 *       limit, at most halving the target per window so one slow window cannot collapse it (with the default
 *       smoothing a window cuts at most a tenth).
 *   <li>The gradient never exceeds 1: growth comes only from the {@code sqrt(limit)} <b>headroom</b>, which keeps
 *       probing upwards by a step that shrinks relative to the limit (Gradient2 grows the same way; Envoy's
 *       gradient up to 2 overshoots more). Capacity freed by a recovered backend is found within seconds:
 *       {@code sqrt(limit)} rises by {@code smoothing / 2} per window. The equilibrium sits where queueing costs
 *       about {@code tolerance} in latency: a backend that serves {@code C} at once settles near
 *       {@code tolerance * C + sqrt(limit)}.
 *   <li><b>Drops</b> (timeouts, 503s) cap the gradient at the fraction that succeeded: a few background errors are
 *       outweighed by the headroom, a backend failing a third of its calls shrinks the limit.
 *   <li>A gateway that never used half its limit has not shown that it can take more, so it does not grow
 *       (Gradient2's "app-limited" rule); without it a quiet night would leave the limit at its maximum.
 *   <li>{@code smoothing} spreads each step over several windows.
 * </ul>
 *
 * <h2>Cost and threads</h2>
 * Samples come from every event loop. Adding one is a few striped-counter updates ({@link LatencyWindow}) and a
 * clock read; the thread whose sample ends a window claims it (one compare-and-set), recomputes and installs the
 * next window. The estimate lives in plain fields that only the claiming thread touches: each claim happens after
 * the previous window was published through the {@link AtomicReference}, which orders the recomputations. The
 * result is published as one volatile {@code int}, which is all {@link #limit()} reads.
 */
public final class AdaptiveLimit implements ConcurrencyLimit {
    private static final double MIN_GRADIENT = 0.5;
    private static final double MAX_GRADIENT = 1.0;

    private final int minLimit;
    private final int maxLimit;
    private final long windowNanos;
    private final int minWindowSamples;
    private final double tolerance;
    private final double smoothing;
    /** How far the baseline moves towards a slower window mean per window: window / baselineRecovery. */
    private final double baselineRise;
    private final LongSupplier nanoClock;
    private final AtomicReference<LatencyWindow> window;

    /** Published results of the last recomputation. */
    private volatile int limit;
    private volatile long publishedBaselineNanos;
    /** Written only by the thread that claimed the current window; see the class comment. */
    private double estimate;
    private double baselineNanos;

    private AdaptiveLimit(Builder b) {
        this.minLimit = b.minLimit;
        this.maxLimit = b.maxLimit;
        this.windowNanos = b.window.toNanos();
        this.minWindowSamples = b.minWindowSamples;
        this.tolerance = b.tolerance;
        this.smoothing = b.smoothing;
        this.baselineRise = Math.min(1, (double) windowNanos / b.baselineRecovery.toNanos());
        this.nanoClock = b.nanoClock;
        this.estimate = b.initialLimit;
        this.limit = b.initialLimit;
        this.window = new AtomicReference<>(new LatencyWindow(nanoClock.getAsLong()));
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public int limit() {
        return limit;
    }

    /** The learnt no-load round trip in nanoseconds; 0 until the first window closed. For the admin API. */
    public long baselineNanos() {
        return publishedBaselineNanos;
    }

    /** A sample whose in-flight count is unknown: it never counts as "app-limited". */
    public void onSample(long rttNanos, boolean dropped) {
        onSample(rttNanos, Integer.MAX_VALUE, dropped);
    }

    @Override
    public void onSample(long rttNanos, int inFlight, boolean dropped) {
        if (rttNanos < 0) {
            throw new IllegalArgumentException("rttNanos must be >= 0, was " + rttNanos);
        }
        LatencyWindow w = window.get();
        w.add(rttNanos, inFlight, dropped);
        long now = nanoClock.getAsLong();
        if (w.isDue(now, windowNanos, minWindowSamples) && w.claim()) {
            recompute(w);
            window.set(new LatencyWindow(now));
        }
    }

    private void recompute(LatencyWindow w) {
        long measured = w.measured();
        long dropped = w.dropped();
        double gradient = MIN_GRADIENT;
        if (measured > 0) {
            double sampleRtt = Math.max(1, (double) w.rttSumNanos() / measured);
            if (baselineNanos == 0 || sampleRtt < baselineNanos) {
                baselineNanos = sampleRtt;
            } else {
                baselineNanos += (sampleRtt - baselineNanos) * baselineRise;
            }
            gradient = tolerance * baselineNanos / sampleRtt;
        }
        double delivered = (double) measured / (measured + dropped);
        gradient = clamp(Math.min(gradient, delivered), MIN_GRADIENT, MAX_GRADIENT);
        double target = estimate * gradient + Math.sqrt(estimate);
        double next = estimate * (1 - smoothing) + target * smoothing;
        if (w.maxInFlight() < estimate / 2) {
            next = Math.min(next, estimate);
        }
        estimate = clamp(next, minLimit, maxLimit);
        publishedBaselineNanos = (long) baselineNanos;
        limit = (int) estimate;
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    @Override
    public String toString() {
        return "AdaptiveLimit[limit=" + limit + ", min=" + minLimit + ", max=" + maxLimit + "]";
    }

    /**
     * Settings; {@link #build()} checks them and names the offending field. Defaults: limits 20 initial, 5 min,
     * 1000 max; windows of 100 ms and at least 10 samples; tolerance 1.5; smoothing 0.2; baseline recovery 60 s;
     * {@link System#nanoTime}.
     */
    public static final class Builder {
        private int initialLimit = 20;
        private int minLimit = 5;
        private int maxLimit = 1000;
        private Duration window = Duration.ofMillis(100);
        private int minWindowSamples = 10;
        private double tolerance = 1.5;
        private double smoothing = 0.2;
        private Duration baselineRecovery = Duration.ofSeconds(60);
        private LongSupplier nanoClock = System::nanoTime;

        private Builder() {
        }

        public Builder initialLimit(int v) {
            this.initialLimit = v;
            return this;
        }

        public Builder minLimit(int v) {
            this.minLimit = v;
            return this;
        }

        public Builder maxLimit(int v) {
            this.maxLimit = v;
            return this;
        }

        /** Shortest window; a window also waits for {@link #minWindowSamples} samples before it is judged. */
        public Builder window(Duration v) {
            this.window = v;
            return this;
        }

        public Builder minWindowSamples(int v) {
            this.minWindowSamples = v;
            return this;
        }

        /** How many times the baseline a window's mean may be before the limit shrinks; {@code >= 1}. */
        public Builder tolerance(double v) {
            this.tolerance = v;
            return this;
        }

        /** Share of each window's target that reaches the limit, in (0, 1]; 1 means no smoothing. */
        public Builder smoothing(double v) {
            this.smoothing = v;
            return this;
        }

        /** Time constant with which the baseline rises towards slower window means. */
        public Builder baselineRecovery(Duration v) {
            this.baselineRecovery = v;
            return this;
        }

        public Builder nanoClock(LongSupplier v) {
            this.nanoClock = v;
            return this;
        }

        public AdaptiveLimit build() {
            if (minLimit < 1) {
                throw new IllegalArgumentException("min_limit must be >= 1, was " + minLimit);
            }
            if (maxLimit < minLimit) {
                throw new IllegalArgumentException("max_limit must be >= min_limit (" + minLimit + "), was "
                        + maxLimit);
            }
            if (initialLimit < minLimit || initialLimit > maxLimit) {
                throw new IllegalArgumentException("initial_limit must be in [" + minLimit + ", " + maxLimit
                        + "], was " + initialLimit);
            }
            positive("window", window);
            if (minWindowSamples < 1) {
                throw new IllegalArgumentException("min_window_samples must be >= 1, was " + minWindowSamples);
            }
            if (!(tolerance >= 1 && tolerance <= 10)) {
                throw new IllegalArgumentException("tolerance must be in [1, 10], was " + tolerance);
            }
            if (!(smoothing > 0 && smoothing <= 1)) {
                throw new IllegalArgumentException("smoothing must be in (0, 1], was " + smoothing);
            }
            positive("baseline_recovery", baselineRecovery);
            Objects.requireNonNull(nanoClock, "nano_clock must not be null");
            return new AdaptiveLimit(this);
        }

        private static void positive(String field, Duration v) {
            Objects.requireNonNull(v, () -> field + " must not be null");
            if (!v.isPositive() || v.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException(field + " must be in (0, 1d], was " + v);
            }
        }
    }
}
