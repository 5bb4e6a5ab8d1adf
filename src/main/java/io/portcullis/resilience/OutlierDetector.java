package io.portcullis.resilience;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Passive health for one cluster (Envoy's outlier detection): sits after the proxy exchange, which reports every
 * outcome through {@link #onResult}, and before endpoint selection, which leaves out endpoints whose
 * {@link OutlierState#ejected()} is true. The cluster's control thread calls {@link #sweep} every
 * {@link Config#interval()}.
 *
 * <p>Two ways in: a streak of consecutive failures ejects at once, on the event loop that saw the last one; an
 * endpoint whose success rate over an interval is far below its peers' is ejected by the sweep. Either way the
 * ejection lasts {@code baseEjectionTime} times a multiplier that grows with each ejection and shrinks with each
 * interval spent in service, capped at {@code maxEjectionTime}.
 *
 * <p><b>Ejection cap.</b> At most {@code max(1, endpoints * maxEjectionPercent / 100)} endpoints are out at once, as
 * in Envoy: a 10% cap still lets a cluster of fewer than ten endpoints lose its worst one (even the only one; the
 * cluster's panic mode then decides what to do). Unlike Envoy, {@code maxEjectionPercent = 0} ejects nothing: the
 * detector only counts, which lets a deployment watch it before trusting it.
 *
 * <p><b>Concurrency.</b> The per-result path is lock-free and allocation-free. Ejection decisions (rare: at most
 * one per streak) may race between event loops and the sweep; each announces itself in {@code deciding} before
 * counting the endpoints already out, and counts the others deciding as if they were out. Of any set of racing
 * ejectors, the last to announce itself therefore sees all the others, so the cap is never exceeded; under a race
 * the detector may eject fewer than allowed, and the refused streak tries again after another streak.
 */
public final class OutlierDetector {
    public static final String CONSECUTIVE_5XX = "consecutive_5xx";
    public static final String CONSECUTIVE_GATEWAY_FAILURE = "consecutive_gateway_failure";
    public static final String SUCCESS_RATE = "success_rate";
    public static final String EJECTION_TIME_ELAPSED = "ejection_time_elapsed";

    /**
     * What one exchange with an endpoint came to. {@link #GATEWAY_FAILURE} (the gateway's own connect failure,
     * reset or timeout) counts toward both streaks, because the client saw a 502 or 504 either way (Envoy's default,
     * non-split mode); {@link #HTTP_5XX} breaks a gateway-failure streak, because the backend did answer.
     */
    public enum Result {
        SUCCESS,
        HTTP_5XX,
        GATEWAY_FAILURE
    }

    /** Tuning, immutable; {@link #DEFAULT} is Envoy's defaults. */
    public record Config(
            int consecutive5xx,
            int consecutiveGatewayFailures,
            Duration interval,
            Duration baseEjectionTime,
            Duration maxEjectionTime,
            int maxEjectionPercent,
            double successRateStdevFactor,
            int successRateMinimumHosts,
            int successRateRequestVolume) {
        /** Far beyond any sensible ejection, and small enough that its nanoseconds and their sums fit a long. */
        private static final Duration MAX_DURATION = Duration.ofDays(365);

        public static final Config DEFAULT = new Config(5, 5, Duration.ofSeconds(10), Duration.ofSeconds(30),
                Duration.ofSeconds(300), 10, 1.9, 5, 100);

        public Config {
            atLeastOne("consecutive5xx", consecutive5xx);
            atLeastOne("consecutiveGatewayFailures", consecutiveGatewayFailures);
            positive("interval", interval);
            positive("baseEjectionTime", baseEjectionTime);
            positive("maxEjectionTime", maxEjectionTime);
            if (maxEjectionTime.compareTo(baseEjectionTime) < 0) {
                throw new IllegalArgumentException("maxEjectionTime must be >= baseEjectionTime (" + baseEjectionTime
                        + "), was " + maxEjectionTime);
            }
            if (maxEjectionPercent < 0 || maxEjectionPercent > 100) {
                throw new IllegalArgumentException("maxEjectionPercent must be in [0, 100], was " + maxEjectionPercent);
            }
            if (!(successRateStdevFactor > 0) || Double.isInfinite(successRateStdevFactor)) {
                throw new IllegalArgumentException(
                        "successRateStdevFactor must be finite and > 0, was " + successRateStdevFactor);
            }
            atLeastOne("successRateMinimumHosts", successRateMinimumHosts);
            atLeastOne("successRateRequestVolume", successRateRequestVolume);
        }

        private static void atLeastOne(String field, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(field + " must be >= 1, was " + value);
            }
        }

        private static void positive(String field, Duration value) {
            Objects.requireNonNull(value, field);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(field + " must be > 0, was " + value);
            }
            if (value.compareTo(MAX_DURATION) > 0) {
                throw new IllegalArgumentException(field + " must be <= " + MAX_DURATION + ", was " + value);
            }
        }
    }

    /**
     * Told of every change of an endpoint's ejection state, exactly once per change, on the thread that made it: an
     * event loop for a streak, the control thread for a sweep. {@code reason} is one of the constants of
     * {@link OutlierDetector}.
     */
    @FunctionalInterface
    public interface Listener {
        void onEjection(int endpointIndex, boolean ejected, String reason);
    }

    private final Config config;
    private final LongSupplier nanoClock;
    private final Listener listener;
    private final long baseNanos;
    private final long maxNanos;
    private final SuccessRateOutliers successRate;
    /** Ejection decisions in progress; see the class comment. */
    private final AtomicInteger deciding = new AtomicInteger();

    public OutlierDetector(Config config, LongSupplier nanoClock, Listener listener) {
        this.config = Objects.requireNonNull(config, "config");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.baseNanos = config.baseEjectionTime().toNanos();
        this.maxNanos = config.maxEjectionTime().toNanos();
        this.successRate = new SuccessRateOutliers(config.successRateStdevFactor(), config.successRateMinimumHosts(),
                config.successRateRequestVolume());
    }

    public Config config() {
        return config;
    }

    /**
     * Hot path, any event loop. Counts the result; when a consecutive threshold is reached, ejects the endpoint right
     * away if the cap allows (the cap is over {@code all}, the cluster's current endpoint states). Results for an
     * endpoint already out (requests that were in flight when it was ejected) are ignored. Returns true when this
     * call ejected it.
     */
    public boolean onResult(List<OutlierState> all, int index, Result result) {
        OutlierState state = all.get(index);
        if (state.status() != OutlierState.IN_SERVICE) {
            return false;
        }
        switch (result) {
            case SUCCESS -> {
                state.recordSuccess();
                return false;
            }
            case HTTP_5XX -> {
                state.recordFailure();
                state.resetGatewayFailures();
                return state.count5xx(config.consecutive5xx()) && eject(all, index, CONSECUTIVE_5XX);
            }
            case GATEWAY_FAILURE -> {
                state.recordFailure();
                // Both counters move before deciding, so one failure that ends both streaks ejects once.
                boolean gatewayStreak = state.countGatewayFailure(config.consecutiveGatewayFailures());
                boolean fiveXxStreak = state.count5xx(config.consecutive5xx());
                if (gatewayStreak) {
                    return eject(all, index, CONSECUTIVE_GATEWAY_FAILURE);
                }
                return fiveXxStreak && eject(all, index, CONSECUTIVE_5XX);
            }
            default -> throw new AssertionError(result);
        }
    }

    /**
     * Every {@code interval}, on the cluster's control thread: returns endpoints whose ejection time is over,
     * shortens the next ejection of those that stayed in service, ejects by success rate (worst first, within the
     * cap), then starts a new interval. Returns true if any ejection state changed.
     */
    public boolean sweep(List<OutlierState> all) {
        long now = nanoClock.getAsLong();
        boolean changed = false;
        for (int i = 0; i < all.size(); i++) {
            OutlierState state = all.get(i);
            int status = state.status();
            if (status == OutlierState.EJECTED && state.ejectionOver(now)) {
                state.uneject();
                listener.onEjection(i, false, EJECTION_TIME_ELAPSED);
                changed = true;
            } else if (status == OutlierState.IN_SERVICE) {
                state.decayMultiplier();
            }
        }
        for (int i : successRate.outliers(all)) {
            changed |= eject(all, i, SUCCESS_RATE);
        }
        return changed;
    }

    /** The most endpoints that may be out at once among {@code endpoints}; see the class comment. */
    static int maxEjected(int endpoints, int maxEjectionPercent) {
        if (maxEjectionPercent == 0) {
            return 0;
        }
        return (int) Math.max(1, (long) endpoints * maxEjectionPercent / 100);
    }

    private boolean eject(List<OutlierState> all, int index, String reason) {
        boolean ejected = false;
        int othersDeciding = deciding.incrementAndGet() - 1;
        try {
            int out = othersDeciding;
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i).status() != OutlierState.IN_SERVICE) {
                    out++;
                }
            }
            OutlierState state = all.get(index);
            if (out < maxEjected(all.size(), config.maxEjectionPercent()) && state.claim()) {
                state.eject(nanoClock.getAsLong(), baseNanos, maxNanos);
                ejected = true;
            }
        } finally {
            deciding.decrementAndGet();
        }
        if (ejected) {
            listener.onEjection(index, true, reason);
        }
        return ejected;
    }
}
