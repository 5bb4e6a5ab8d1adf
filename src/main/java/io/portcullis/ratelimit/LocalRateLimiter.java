package io.portcullis.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * One limit enforced by this gateway instance alone (local mode), and the engine behind the shared limits' local
 * fallback. Called by the rate-limit filter on an event loop, once per request, before the request is routed
 * upstream; shared by all event loops.
 *
 * <h2>Hot path</h2>
 * Each key's state is one {@link AtomicLong}, its theoretical arrival time on {@code nanoClock}; a decision reads the
 * clock, computes the {@link Limit#decide GCRA decision} from the backlog and publishes the new arrival time with one
 * compare-and-set, retrying only when another thread decided for the same key in between. No locks; no allocation
 * once the key exists ({@code LocalRateLimitBenchmark} measures 0.001 B/op with {@code -prof gc}); the answer is a
 * primitive decision word. Caffeine's maintenance (draining its read buffer, dropping idle keys) runs on the calling
 * thread, amortized: handing it to the common pool allocated a task per drain (about 1 B/op). On the read path it
 * takes Caffeine's lock only with {@code tryLock}, so a request never waits for another's maintenance; only a burst
 * of new keys that overflows Caffeine's write buffer makes an inserting thread wait for the lock.
 *
 * <h2>Bounded state</h2>
 * Keys live in a Caffeine cache that drops a key idle for {@link Limit#maxBacklogNanos} plus {@link #IDLE_MARGIN}:
 * by then its backlog has drained to zero, which is what a new key starts with, so expiry changes no decision. The
 * margin is there because Caffeine stamps an access with the time its thread read before the lookup: a thread
 * descheduled in between stamps an old time, and without the margin a hot key could look idle and restart full
 * (seen in tests on a loaded two-core machine). The one remaining exception is a race in which a thread holds a
 * key's state while it expires and another thread recreates it: the first decision is lost, admitting at most one
 * extra request of that key once. {@code maxKeys} bounds memory against a flood of distinct
 * keys; evicting a key that is still busy forgets its backlog (it over-admits), so size it above the expected number
 * of keys active within {@link Limit#maxBacklogNanos}.
 */
public final class LocalRateLimiter {
    /** Enough for a million clients active at once: about 100 bytes a key. */
    public static final long DEFAULT_MAX_KEYS = 1_000_000;

    /** Longer than any thread stays descheduled between two statements of a live process. */
    public static final Duration IDLE_MARGIN = Duration.ofSeconds(1);

    private final Limit limit;
    private final LongSupplier nanoClock;
    private final Cache<String, AtomicLong> arrivals;
    /** Created once: a capturing lambda per lookup would allocate on the hot path. */
    private final Function<String, AtomicLong> newKey;

    public LocalRateLimiter(Limit limit, LongSupplier nanoClock) {
        this(limit, nanoClock, DEFAULT_MAX_KEYS);
    }

    public LocalRateLimiter(Limit limit, LongSupplier nanoClock, long maxKeys) {
        this.limit = Objects.requireNonNull(limit, "limit must not be null");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock must not be null");
        if (maxKeys < 1) {
            throw new IllegalArgumentException("max_keys must be >= 1, was " + maxKeys);
        }
        this.arrivals = Caffeine.newBuilder()
                .maximumSize(maxKeys)
                .expireAfterAccess(Duration.ofNanos(limit.maxBacklogNanos()).plus(IDLE_MARGIN))
                .ticker(nanoClock::getAsLong)
                .executor(Runnable::run) // see "Hot path": no task allocated per maintenance run
                .build();
        // A new key's arrival time is now: it starts empty. The clock is read before the caller's own read, so
        // the caller never sees a key created in its future.
        this.newKey = key -> new AtomicLong(nanoClock.getAsLong());
    }

    /**
     * Decides a request of {@code cost} permits for {@code key} and, if admitted, charges it.
     *
     * @return a decision word ({@link Decision#isAllowed(long)}, {@link Limit#remaining(long)} and friends read it)
     * @throws IllegalArgumentException if {@code cost} is outside {@code [1, limit.maxCost()]}
     */
    public long acquire(String key, int cost) {
        limit.checkCost(cost);
        AtomicLong arrival = arrivals.get(key, newKey);
        long now = nanoClock.getAsLong();
        while (true) {
            long seen = arrival.get();
            long word = limit.decide(Math.max(0, seen - now), cost);
            if (word < 0 || arrival.compareAndSet(seen, now + word)) {
                return word;
            }
        }
    }

    /** {@link #acquire} unpacked; allocates, so the filter's hot path calls {@code acquire} instead. */
    public Decision decide(String key, int cost) {
        return Decision.of(limit, acquire(key, cost), cost, Decision.Basis.LOCAL);
    }

    public Limit limit() {
        return limit;
    }

    /** Keys currently held (approximate until Caffeine's pending maintenance has run), for metrics and tests. */
    public long keyCount() {
        arrivals.cleanUp();
        return arrivals.estimatedSize();
    }
}
