package io.portcullis.ratelimit.overload;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gateway-wide admission by priority over a {@link ConcurrencyLimit}. The overload filter asks it once per request,
 * after routing has given the request its priority class and before anything is sent upstream, and releases the
 * permit when the exchange ends, reporting how long it took.
 *
 * <pre>
 *   tryAcquire ──in flight &lt; limit, nobody waiting──► admitted now (CAS on the in-flight counter, no lock)
 *        │
 *        └──limit reached──► waiting room (lock) ──a release frees a slot──► best waiter admitted on its loop
 *                              │
 *                              ├─ its class at its cap, or full of waiters ranked as high ─► QUEUE_FULL
 *                              ├─ full, a higher class arrives ─► oldest of the lowest class DISPLACED
 *                              └─ waited maxQueueTime ─► QUEUE_TIMEOUT
 * </pre>
 * </pre>
 *
 * Priority classes are {@code 0 .. classes-1}; the <b>higher number is admitted first</b> and shed last. Within a
 * class, waiters are admitted in arrival order.
 *
 * <h2>Concurrency</h2>
 * Under the limit, admission is a compare-and-set on one counter. The lock guards only the {@link WaitingRoom} and
 * is taken only when somebody waits or must wait; callbacks are run after it is released, on each waiter's own
 * executor, so no foreign thread ever runs a request's code. A waiter and a releasing thread can race (the waiter
 * sees the limit reached, the releaser sees nobody waiting); both publish before they look ({@code queued} is
 * volatile and written before the waiter re-reads the counter; the releaser decrements before it reads
 * {@code queued}), so at least one of them admits the waiter.
 *
 * <p>Queue timeouts are found lazily on every queueing and release, and by {@link #expireOverdue()}, which the
 * owner calls periodically so that waiters time out even when nothing finishes.
 *
 * <p>Larger than most classes here (about 360 lines, half of them Javadoc and the {@link Builder}): the fast path,
 * the locked path and the delivery of decisions share the race argument above and are easier to check side by
 * side. The queues themselves live in {@link WaitingRoom}, the per-request state in {@link Permit}.
 */
public final class PriorityAdmission {
    private static final Logger log = LoggerFactory.getLogger(PriorityAdmission.class);

    private final ConcurrencyLimit limit;
    private final int classes;
    private final long maxQueueNanos;
    private final Duration retryAfter;
    private final LongSupplier nanoClock;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}. */
    private final WaitingRoom room;
    /** {@code room.size()}, published for the lock-free paths; written under the lock. */
    private volatile int queued;

    private PriorityAdmission(Builder b) {
        this.limit = b.limit;
        this.classes = b.classes;
        this.maxQueueNanos = b.maxQueueTime.toNanos();
        this.retryAfter = b.retryAfter;
        this.nanoClock = b.nanoClock;
        this.room = new WaitingRoom(b.classes, b.maxQueuedPerClass, b.maxQueued);
    }

    public static Builder builder(ConcurrencyLimit limit) {
        return new Builder(limit);
    }

    /**
     * Admits the request now, queues it or refuses it; the {@link AdmissionCallback} says which. Call it on the
     * request's event loop: an immediate decision is delivered on the calling thread before this returns, a later
     * one through {@code executor}.
     *
     * @param priority {@code 0 .. classes-1}, higher first
     * @param executor where a later decision runs: the request's event loop
     * @return the permit; if {@link Permit#isQueued()}, {@link #cancel} it when the client goes away
     */
    public Permit tryAcquire(int priority, Executor executor, AdmissionCallback callback) {
        if (priority < 0 || priority >= classes) {
            throw new IllegalArgumentException("priority must be in [0, " + (classes - 1) + "], was " + priority);
        }
        Permit p = new Permit(priority, executor, callback);
        if (queued == 0 && takeSlot()) {
            p.admit();
            callback.onAdmitted(p);
            return p;
        }
        List<Permit> decided = null;
        boolean waits;
        lock.lock();
        try {
            long now = nanoClock.getAsLong();
            decided = room.expire(now - maxQueueNanos, decided);
            if (room.isEmpty() && takeSlot()) {
                p.admit(); // a slot came free after the fast path looked
            } else {
                Permit displaced = room.offer(p, now);
                if (displaced != null && displaced != p) {
                    decided = add(decided, displaced);
                }
                queued = room.size(); // publish before admitLocked re-reads the counter
                decided = admitLocked(decided);
            }
            queued = room.size();
            // Read under the lock: once it is released another thread's drain may admit p and deliver it itself.
            waits = p.state() == Permit.State.QUEUED;
        } finally {
            lock.unlock();
        }
        deliver(decided, p);
        if (!waits) {
            deliverHere(p);
        }
        return p;
    }

    /**
     * Hands the slot back and teaches the limit.
     *
     * @param rttNanos from admission to the end of the exchange
     * @param ok false when the exchange ended in an overload signal (see {@link ConcurrencyLimit#onSample})
     */
    public void release(Permit permit, long rttNanos, boolean ok) {
        if (rttNanos < 0) {
            throw new IllegalArgumentException("rttNanos must be >= 0, was " + rttNanos);
        }
        if (!permit.markReleased()) {
            throw new IllegalStateException("release of a permit that is not admitted: " + permit);
        }
        int was = inFlight.getAndDecrement();
        limit.onSample(rttNanos, was, !ok);
        if (queued > 0) {
            drain();
        }
    }

    /**
     * Hands the slot back without a sample: the admitted request never reached a backend (refused by a later
     * filter, or cancelled after its admission was already on its way), so its duration says nothing about load.
     */
    public void abandon(Permit permit) {
        if (!permit.markReleased()) {
            throw new IllegalStateException("abandon of a permit that is not admitted: " + permit);
        }
        inFlight.decrementAndGet();
        if (queued > 0) {
            drain();
        }
    }

    /**
     * Withdraws a waiting request whose client went away.
     *
     * @return true if it was still waiting, so no callback will come; false if it was already decided, in which
     *     case its callback has run or is on its way (an admitted permit must then be {@link #abandon}ed)
     */
    public boolean cancel(Permit permit) {
        if (permit.state() != Permit.State.QUEUED) {
            return false;
        }
        lock.lock();
        try {
            boolean cancelled = room.cancel(permit);
            queued = room.size();
            return cancelled;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Refuses every waiter that has waited {@code maxQueueTime}. The owner schedules it (every few tens of
     * milliseconds, or a tenth of {@code maxQueueTime}); it takes the lock only when somebody waits.
     *
     * @return how many were refused
     */
    public int expireOverdue() {
        if (queued == 0) {
            return 0;
        }
        List<Permit> expired;
        lock.lock();
        try {
            expired = room.expire(nanoClock.getAsLong() - maxQueueNanos, null);
            queued = room.size();
        } finally {
            lock.unlock();
        }
        deliver(expired, null);
        return expired == null ? 0 : expired.size();
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** Waiting requests, all classes. */
    public int queued() {
        return queued;
    }

    public int limit() {
        return limit.limit();
    }

    public int classes() {
        return classes;
    }

    private void drain() {
        List<Permit> decided;
        lock.lock();
        try {
            decided = room.expire(nanoClock.getAsLong() - maxQueueNanos, null);
            decided = admitLocked(decided);
            queued = room.size();
        } finally {
            lock.unlock();
        }
        deliver(decided, null);
    }

    private List<Permit> admitLocked(List<Permit> decided) {
        while (!room.isEmpty() && takeSlot()) {
            Permit next = room.pollBest();
            next.admit();
            decided = add(decided, next);
        }
        return decided;
    }

    private boolean takeSlot() {
        for (;;) {
            int n = inFlight.get();
            if (n >= limit.limit()) {
                return false;
            }
            if (inFlight.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Runs each decision on its request's executor, skipping {@code caller}'s, which its own thread delivers. */
    private void deliver(List<Permit> decided, Permit caller) {
        if (decided == null) {
            return;
        }
        for (Permit p : decided) {
            if (p == caller) {
                continue;
            }
            try {
                p.executor.execute(() -> deliverHere(p));
            } catch (RejectedExecutionException e) {
                // The waiter's event loop is shutting down, so nobody will run its request: give its slot to the
                // next waiter instead of leaking it.
                log.debug("admission of {} not delivered, its executor is shut down", p, e);
                if (p.state() == Permit.State.ADMITTED) {
                    abandon(p);
                }
            }
        }
    }

    private void deliverHere(Permit p) {
        if (p.state() == Permit.State.REFUSED) {
            p.callback.onRefused(p, p.refusal, retryAfter);
        } else {
            p.callback.onAdmitted(p);
        }
    }

    private static List<Permit> add(List<Permit> list, Permit p) {
        List<Permit> out = list == null ? new ArrayList<>(2) : list;
        out.add(p);
        return out;
    }

    /**
     * Settings; {@link #build()} checks them and names the offending field. Defaults: 2 classes, 100 waiters per
     * class and {@code classes * 100} in all, 1 s longest wait, {@code Retry-After} 1 s, {@link System#nanoTime}.
     */
    public static final class Builder {
        private final ConcurrencyLimit limit;
        private int classes = 2;
        private int maxQueuedPerClass = 100;
        private int maxQueued = -1;
        private Duration maxQueueTime = Duration.ofSeconds(1);
        private Duration retryAfter = Duration.ofSeconds(1);
        private LongSupplier nanoClock = System::nanoTime;

        private Builder(ConcurrencyLimit limit) {
            this.limit = Objects.requireNonNull(limit, "limit must not be null");
        }

        public Builder classes(int v) {
            this.classes = v;
            return this;
        }

        /** Waiters one class may have; 0 means a class never waits. */
        public Builder maxQueuedPerClass(int v) {
            this.maxQueuedPerClass = v;
            return this;
        }

        /** Waiters all classes together may have; past it, an arrival displaces a lower class. Default: no cap
         * beyond the per-class ones. */
        public Builder maxQueued(int v) {
            this.maxQueued = v;
            return this;
        }

        public Builder maxQueueTime(Duration v) {
            this.maxQueueTime = v;
            return this;
        }

        public Builder retryAfter(Duration v) {
            this.retryAfter = v;
            return this;
        }

        public Builder nanoClock(LongSupplier v) {
            this.nanoClock = v;
            return this;
        }

        public PriorityAdmission build() {
            if (classes < 1 || classes > 64) {
                throw new IllegalArgumentException("classes must be in [1, 64], was " + classes);
            }
            if (maxQueuedPerClass < 0) {
                throw new IllegalArgumentException("max_queued_per_class must be >= 0, was " + maxQueuedPerClass);
            }
            long uncapped = (long) classes * maxQueuedPerClass;
            if (maxQueued == -1) {
                maxQueued = (int) Math.min(Integer.MAX_VALUE, uncapped);
            } else if (maxQueued < 0) {
                throw new IllegalArgumentException("max_queued must be >= 0, was " + maxQueued);
            }
            positive("max_queue_time", maxQueueTime);
            positive("retry_after", retryAfter);
            Objects.requireNonNull(nanoClock, "nano_clock must not be null");
            return new PriorityAdmission(this);
        }

        private static void positive(String field, Duration v) {
            Objects.requireNonNull(v, () -> field + " must not be null");
            if (!v.isPositive() || v.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException(field + " must be in (0, 1d], was " + v);
            }
        }
    }
}
