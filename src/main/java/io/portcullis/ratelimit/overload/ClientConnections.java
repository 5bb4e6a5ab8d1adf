package io.portcullis.ratelimit.overload;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * What {@link ConnectionLimits} knows about one client address: its open connections and its new-connection rate.
 * Lock-free; two fields updated by compare-and-set, so one entry costs one small object.
 *
 * <h2>Rate</h2>
 * The rate is a token bucket kept as GCRA (the generic cell rate algorithm): a single "theoretical arrival time"
 * {@code tat} instead of a token count and a refill time. A connection is allowed when {@code tat - now <= tolerance}
 * (tolerance = (burst - 1) * interval), and then pushes {@code tat} one interval further. One long, one CAS,
 * exactly the token bucket's decisions.
 *
 * <h2>Retirement</h2>
 * An entry with no open connection and a full bucket carries no information and is removed from the map. Removal
 * first moves {@code open} from 0 to {@link #RETIRED}; a thread that then finds the entry sees it retired and makes
 * a new one, so no connection is ever counted in an entry that has left the map. A rate token taken by a
 * connection refused in the same instant may be forgotten by that race; a bucket is full again by then.
 */
final class ClientConnections {
    static final int RETIRED = -1;

    enum Open { OPENED, FULL, RETIRED }

    private static final AtomicIntegerFieldUpdater<ClientConnections> OPEN =
            AtomicIntegerFieldUpdater.newUpdater(ClientConnections.class, "open");
    private static final AtomicLongFieldUpdater<ClientConnections> TAT =
            AtomicLongFieldUpdater.newUpdater(ClientConnections.class, "tat");

    private volatile int open;
    private volatile long tat;

    ClientConnections(long now) {
        this.tat = now;
    }

    Open tryOpen(int max) {
        for (;;) {
            int n = open;
            if (n == RETIRED) {
                return Open.RETIRED;
            }
            if (n >= max) {
                return Open.FULL;
            }
            if (OPEN.compareAndSet(this, n, n + 1)) {
                return Open.OPENED;
            }
        }
    }

    /** @return connections still open */
    int close() {
        int n = OPEN.decrementAndGet(this);
        assert n >= 0 : "close without open";
        return n;
    }

    int open() {
        return Math.max(0, open);
    }

    /** Takes one token of a bucket refilling one token per {@code intervalNanos}, holding {@code burst} tokens. */
    boolean tryTakeToken(long now, long intervalNanos, long toleranceNanos) {
        for (;;) {
            long t = tat;
            long from = t - now > 0 ? t : now;
            if (from - now > toleranceNanos) {
                return false;
            }
            if (TAT.compareAndSet(this, t, from + intervalNanos)) {
                return true;
            }
        }
    }

    /** Retires the entry if it has no connection and a full bucket; true if the caller must remove it now. */
    boolean tryRetire(long now) {
        return open == 0 && tat - now <= 0 && OPEN.compareAndSet(this, 0, RETIRED);
    }
}
