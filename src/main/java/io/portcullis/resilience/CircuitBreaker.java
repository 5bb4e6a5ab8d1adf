package io.portcullis.resilience;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Per-cluster (optionally per-route) circuit breaker, shared by all event loops. On the proxy path it sits after
 * routing and before the endpoint pick: {@link #tryAcquire} decides whether the call may go upstream at all, and the
 * exchange reports how the call ended with exactly one of {@link #onSuccess}, {@link #onFailure} or {@link #release}.
 *
 * <pre>
 *   CLOSED ──failure or slow rate ≥ threshold──► OPEN ──openDuration elapsed, next tryAcquire──► HALF_OPEN
 *     ▲                                            ▲                                               │
 *     └──────────── halfOpenCalls probes succeeded ┼───────────── a probe failed or was slow ◄───────┘
 * </pre>
 *
 * <h2>Permits</h2>
 * {@link #tryAcquire} returns a permit, the generation of the state that admitted the call, and every verdict
 * carries it back. A verdict counts only if the breaker is still in that generation: a call admitted while CLOSED
 * that finishes after the breaker opened (and maybe went HALF_OPEN) is ignored, so it can neither close a half-open
 * breaker nor free a probe slot it never held; a probe finishing after its half-open state ended is ignored too.
 * A boolean from {@code tryAcquire} could not tell these calls apart.
 *
 * <h2>Concurrency</h2>
 * The state is one immutable {@link Phase} behind an {@link AtomicReference}; every transition is a compare-and-set
 * from the phase the deciding thread saw, so exactly one thread wins each transition. In steady state (CLOSED) the
 * hot path reads that reference, the clock, and increments one counter of a {@link SlidingWindow}; a transition
 * allocates a new phase (and, entering CLOSED, a fresh window, so late writers to the old one cannot leak into it).
 * A success never trips the breaker (it can only lower the rates), so the window is summed only after a failure or a
 * slow call; a window that reached its thresholds is therefore judged at its next bad outcome.
 *
 * <p>Larger than most classes here (about 360 lines, a third of them Javadoc, with its {@link Config} record and
 * {@link Phase}): the state machine and its permit rules are one job and are easier to check side by side. The
 * window ({@link SlidingWindow}) and the ordered listener calls ({@link TransitionDelivery}) live apart.
 */
public final class CircuitBreaker {
    /** Returned by {@link #tryAcquire} when the call must not go upstream. Permits are never negative. */
    public static final long REJECTED = -1;

    public enum State { CLOSED, OPEN, HALF_OPEN }

    /**
     * Breaker settings. {@code failureRateThreshold} and {@code slowCallRateThreshold} are percentages in (0, 100];
     * a call counts as slow when it took at least {@code slowCallDuration}. Rates are computed over a time-based
     * sliding window of {@code window} (10 buckets) once at least {@code minimumCalls} calls are in it. After
     * {@code openDuration} in OPEN the next {@link #tryAcquire} moves to HALF_OPEN, which admits at most
     * {@code halfOpenCalls} probes (a {@link #release}d probe gives its slot back); all of them succeeding, and
     * none slow, closes the breaker with a fresh window; any probe failing or slow reopens it.
     *
     * <p>A rate trips when it is at or above its threshold, so a slow-call threshold of 100% still trips when every
     * call in the window was slow.
     */
    public record Config(double failureRateThreshold, double slowCallRateThreshold, Duration slowCallDuration,
            int minimumCalls, Duration window, Duration openDuration, int halfOpenCalls) {

        /** Declared before {@link #DEFAULT}: building it runs the validation that reads this. */
        private static final Duration MAX_NANOS = Duration.ofNanos(Long.MAX_VALUE);

        public static final Config DEFAULT = new Config(50, 100, Duration.ofSeconds(5), 20, Duration.ofSeconds(10),
                Duration.ofSeconds(30), 3);

        public Config {
            percent("failure_rate_threshold", failureRateThreshold);
            percent("slow_call_rate_threshold", slowCallRateThreshold);
            positive("slow_call_duration", slowCallDuration);
            if (minimumCalls < 1) {
                throw new IllegalArgumentException("minimum_calls must be >= 1, was " + minimumCalls);
            }
            positive("window", window);
            positive("open_duration", openDuration);
            if (halfOpenCalls < 1) {
                throw new IllegalArgumentException("half_open_calls must be >= 1, was " + halfOpenCalls);
            }
        }

        private static void percent(String field, double value) {
            if (!(value > 0 && value <= 100)) {
                throw new IllegalArgumentException(field + " must be in (0, 100], was " + value);
            }
        }

        private static void positive(String field, Duration value) {
            Objects.requireNonNull(value, () -> field + " must not be null");
            if (!value.isPositive() || value.compareTo(MAX_NANOS) > 0) {
                throw new IllegalArgumentException(field + " must be in (0, " + MAX_NANOS + "], was " + value);
            }
        }
    }

    /**
     * Told about every transition, exactly once each and in the order they happened, never from two threads at
     * once. Usually called on the thread that caused the transition; when transitions race, the thread still
     * delivering an earlier one delivers the later ones too, so a listener that mirrors the state (a gauge) always
     * ends on the current one. Runs on an event loop: it must be quick and must not block.
     */
    public interface Listener {
        Listener NONE = (breaker, from, to, reason) -> { };

        void onStateChange(CircuitBreaker breaker, State from, State to, String reason);
    }

    /** Window figures for the admin API and metrics; the rates are percentages, NaN below {@code minimumCalls}. */
    public record Stats(long calls, double failureRate, double slowCallRate) {}

    private final String name;
    private final Config config;
    private final LongSupplier nanoClock;
    private final long windowNanos;
    private final long slowNanos;
    private final long openNanos;
    private final AtomicReference<Phase> phase;
    private final TransitionDelivery delivery;

    public CircuitBreaker(String name, Config config, LongSupplier nanoClock, Listener listener) {
        this.name = Objects.requireNonNull(name, "name must not be null");
        this.config = Objects.requireNonNull(config, "config must not be null");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock must not be null");
        Objects.requireNonNull(listener, "listener must not be null (use Listener.NONE)");
        this.windowNanos = config.window().toNanos();
        this.slowNanos = config.slowCallDuration().toNanos();
        this.openNanos = config.openDuration().toNanos();
        Phase initial = Phase.closed(0, nanoClock.getAsLong(), windowNanos, null, null);
        this.phase = new AtomicReference<>(initial);
        this.delivery = new TransitionDelivery(this, listener, initial);
    }

    public String name() {
        return name;
    }

    public Config config() {
        return config;
    }

    /**
     * @return a permit ({@code >= 0}) if the call may go upstream, after which exactly one of {@link #onSuccess},
     *     {@link #onFailure} or {@link #release} must be called with it; else {@link #REJECTED}. CLOSED always admits;
     *     OPEN rejects until {@code openDuration} has passed, then moves to HALF_OPEN and admits this call as its
     *     first probe; HALF_OPEN admits while fewer than {@code halfOpenCalls} probe slots are taken.
     */
    public long tryAcquire() {
        for (;;) {
            Phase p = phase.get();
            switch (p.state) {
                case CLOSED:
                    return p.generation;
                case HALF_OPEN:
                    return p.takeProbe(config.halfOpenCalls()) ? p.generation : REJECTED;
                case OPEN:
                    long now = nanoClock.getAsLong();
                    if (now - p.since < openNanos) {
                        return REJECTED;
                    }
                    Phase probing = Phase.halfOpen(p.generation + 1, now, p.window, State.OPEN,
                            "open for " + format(config.openDuration()));
                    if (transition(p, probing)) {
                        return probing.generation;
                    }
                    break; // another thread moved on first: look again
                default:
                    throw new AssertionError(p.state);
            }
        }
    }

    public void onSuccess(long permit, long durationNanos) {
        Phase p = phase.get();
        if (p.generation != permit) {
            return; // admitted under an earlier state: its verdict no longer says anything
        }
        boolean slow = durationNanos >= slowNanos;
        if (p.state == State.CLOSED) {
            long now = nanoClock.getAsLong();
            p.window.record(now, false, slow);
            if (slow) {
                judge(p, now);
            }
        } else if (p.state == State.HALF_OPEN) {
            if (slow) {
                reopen(p, "probe slow (" + format(Duration.ofNanos(durationNanos)) + " >= "
                        + format(config.slowCallDuration()) + ")");
            } else if (p.probeSucceeded() == config.halfOpenCalls()) {
                long now = nanoClock.getAsLong();
                transition(p, Phase.closed(p.generation + 1, now, windowNanos, State.HALF_OPEN,
                        config.halfOpenCalls() + (config.halfOpenCalls() == 1 ? " probe" : " probes") + " succeeded"));
            }
        }
    }

    public void onFailure(long permit, long durationNanos) {
        Phase p = phase.get();
        if (p.generation != permit) {
            return;
        }
        if (p.state == State.CLOSED) {
            long now = nanoClock.getAsLong();
            p.window.record(now, true, durationNanos >= slowNanos);
            judge(p, now);
        } else if (p.state == State.HALF_OPEN) {
            reopen(p, "probe failed");
        }
    }

    /** A permitted call ended without a verdict (the client went away): frees its probe slot, records nothing. */
    public void release(long permit) {
        Phase p = phase.get();
        if (p.generation == permit && p.state == State.HALF_OPEN) {
            p.releaseProbe();
        }
    }

    public State state() {
        return phase.get().state;
    }

    /**
     * When OPEN: nanos until a probe will be admitted (for {@code Retry-After}), 0 once due even if no call has
     * come to move the breaker to HALF_OPEN yet; 0 in the other states.
     */
    public long remainingOpenNanos() {
        Phase p = phase.get();
        return p.state == State.OPEN ? Math.max(0, p.since + openNanos - nanoClock.getAsLong()) : 0;
    }

    /** The window of the current closed period, or, while OPEN or HALF_OPEN, of the one that tripped. */
    public Stats stats() {
        SlidingWindow.Counts c = phase.get().window.counts(nanoClock.getAsLong());
        if (c.calls() < config.minimumCalls()) {
            return new Stats(c.calls(), Double.NaN, Double.NaN);
        }
        return new Stats(c.calls(), c.failurePercent(), c.slowPercent());
    }

    @Override
    public String toString() {
        return "CircuitBreaker[" + name + ", " + state() + "]";
    }

    /** After a bad outcome while CLOSED: opens the breaker if the window has reached a threshold. */
    private void judge(Phase p, long now) {
        if (!p.window.exceeds(now, config.minimumCalls(), config.failureRateThreshold(),
                config.slowCallRateThreshold())) {
            return;
        }
        // Sum again as a value for the reason; if concurrent successes pulled the rates back under in between, the
        // next bad outcome judges again.
        SlidingWindow.Counts c = p.window.counts(now);
        String reason;
        if (c.calls() >= config.minimumCalls() && c.failurePercent() >= config.failureRateThreshold()) {
            reason = "failure rate " + percent(c.failurePercent()) + "% >= " + percent(config.failureRateThreshold())
                    + "% over " + c.calls() + " calls";
        } else if (c.calls() >= config.minimumCalls() && c.slowPercent() >= config.slowCallRateThreshold()) {
            reason = "slow call rate " + percent(c.slowPercent()) + "% >= "
                    + percent(config.slowCallRateThreshold()) + "% over " + c.calls() + " calls";
        } else {
            return;
        }
        transition(p, Phase.open(p.generation + 1, now, p.window, State.CLOSED, reason));
    }

    private void reopen(Phase halfOpen, String reason) {
        transition(halfOpen, Phase.open(halfOpen.generation + 1, nanoClock.getAsLong(), halfOpen.window,
                State.HALF_OPEN, reason));
    }

    /** The one place the state changes: only the thread whose compare-and-set wins reports the transition. */
    private boolean transition(Phase from, Phase to) {
        if (!phase.compareAndSet(from, to)) {
            return false;
        }
        from.next = to;
        delivery.deliver();
        return true;
    }

    private static String percent(double value) {
        String s = String.format(Locale.ROOT, "%.1f", value);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    /** 30s, 1.5s, 250ms, 42ns: the shortest exact-enough form for a reason. */
    static String format(Duration d) {
        long nanos = d.toNanos();
        if (nanos % 1_000_000 != 0) {
            return nanos < 1_000_000 ? nanos + "ns" : percent(nanos / 1e6) + "ms";
        }
        long millis = nanos / 1_000_000;
        return millis < 1000 ? millis + "ms" : percent(millis / 1000.0) + "s";
    }

    /**
     * One state of the breaker, immutable but for the half-open probe counters. {@code window} is the closed
     * period's window, carried through OPEN and HALF_OPEN for {@link #stats}; {@code from}/{@code reason} describe
     * the transition into this phase and {@code next} links to the following one, for {@link TransitionDelivery}.
     */
    static final class Phase {
        final State state;
        final long generation;
        final long since;
        final SlidingWindow window;
        final State from;
        final String reason;
        /** HALF_OPEN only: probe slots taken (in flight or succeeded), and probes that succeeded. */
        private final AtomicInteger probesTaken;
        private final AtomicInteger probesSucceeded;
        volatile Phase next;

        private Phase(State state, long generation, long since, SlidingWindow window, State from, String reason,
                int probesTaken) {
            this.state = state;
            this.generation = generation;
            this.since = since;
            this.window = window;
            this.from = from;
            this.reason = reason;
            this.probesTaken = state == State.HALF_OPEN ? new AtomicInteger(probesTaken) : null;
            this.probesSucceeded = state == State.HALF_OPEN ? new AtomicInteger() : null;
        }

        static Phase closed(long generation, long now, long windowNanos, State from, String reason) {
            return new Phase(State.CLOSED, generation, now, new SlidingWindow(windowNanos, now), from, reason, 0);
        }

        static Phase open(long generation, long now, SlidingWindow window, State from, String reason) {
            return new Phase(State.OPEN, generation, now, window, from, reason, 0);
        }

        /** The thread that moves the breaker to HALF_OPEN takes the first probe slot as part of the transition. */
        static Phase halfOpen(long generation, long now, SlidingWindow window, State from, String reason) {
            return new Phase(State.HALF_OPEN, generation, now, window, from, reason, 1);
        }

        boolean takeProbe(int limit) {
            for (;;) {
                int taken = probesTaken.get();
                if (taken >= limit) {
                    return false;
                }
                if (probesTaken.compareAndSet(taken, taken + 1)) {
                    return true;
                }
            }
        }

        void releaseProbe() {
            for (;;) {
                int taken = probesTaken.get();
                // Never below the successes: a stray release must not let more probes in than halfOpenCalls.
                if (taken <= probesSucceeded.get() || probesTaken.compareAndSet(taken, taken - 1)) {
                    return;
                }
            }
        }

        int probeSucceeded() {
            return probesSucceeded.incrementAndGet();
        }
    }
}
