package io.portcullis.ratelimit.overload;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The requests {@link PriorityAdmission} holds back while the limit is reached: one FIFO per priority class, a cap
 * per class and a cap on the whole room. Not thread-safe: every method runs under the admission lock, and each is
 * O(classes) apart from the waiters it removes.
 *
 * <p>A full room makes space by shedding the <em>oldest</em> waiter of the lowest class below the arrival. The
 * oldest, rather than the newest, because it is the one closest to its queue timeout and most likely already given
 * up on by its client; that is CoDel's head drop. A cancelled waiter stays in its deque, no longer counted, until it
 * reaches the head, so a cancel costs no search.
 */
final class WaitingRoom {
    private final ArrayDeque<Permit>[] byClass;
    private final int[] live;
    private final int maxPerClass;
    private final int maxTotal;
    private int total;

    @SuppressWarnings("unchecked")
    WaitingRoom(int classes, int maxPerClass, int maxTotal) {
        this.byClass = new ArrayDeque[classes];
        for (int c = 0; c < classes; c++) {
            byClass[c] = new ArrayDeque<>();
        }
        this.live = new int[classes];
        this.maxPerClass = maxPerClass;
        this.maxTotal = maxTotal;
    }

    int size() {
        return total;
    }

    int size(int priority) {
        return live[priority];
    }

    boolean isEmpty() {
        return total == 0;
    }

    /**
     * Queues {@code p} unless its class is at its cap or the room is full of waiters ranked at least as high.
     *
     * @return null if {@code p} was queued without displacing anyone; the lower waiter it displaced (now refused
     *     {@link Refusal#DISPLACED}); or {@code p} itself, refused {@link Refusal#QUEUE_FULL}
     */
    Permit offer(Permit p, long now) {
        int k = p.priority();
        if (live[k] >= maxPerClass) {
            p.refuse(Refusal.QUEUE_FULL);
            return p;
        }
        Permit displaced = null;
        if (total >= maxTotal) {
            displaced = displaceBelow(k);
            if (displaced == null) {
                p.refuse(Refusal.QUEUE_FULL);
                return p;
            }
        }
        p.queue(now);
        byClass[k].addLast(p);
        live[k]++;
        total++;
        return displaced;
    }

    /** Takes the next waiter to admit: the oldest of the highest class that has one; null if the room is empty. */
    Permit pollBest() {
        for (int c = byClass.length - 1; c >= 0; c--) {
            if (live[c] > 0) {
                return pollOldest(c);
            }
        }
        return null;
    }

    /** Marks {@code p} cancelled if it is still waiting; its deque entry is dropped when it reaches the head. */
    boolean cancel(Permit p) {
        if (p.state() != Permit.State.QUEUED) {
            return false;
        }
        p.cancel();
        live[p.priority()]--;
        total--;
        return true;
    }

    /**
     * Refuses, {@link Refusal#QUEUE_TIMEOUT}, every waiter queued at or before {@code deadline}; each deque is in
     * arrival order, so only heads are looked at.
     *
     * @return {@code out}, or a new list if it was null and somebody expired
     */
    List<Permit> expire(long deadline, List<Permit> out) {
        if (total == 0) {
            return out;
        }
        for (int c = 0; c < byClass.length; c++) {
            ArrayDeque<Permit> q = byClass[c];
            Permit head;
            while ((head = q.peekFirst()) != null) {
                if (head.state() != Permit.State.QUEUED) {
                    q.pollFirst(); // cancelled earlier
                    continue;
                }
                if (head.enqueuedNanos - deadline > 0) {
                    break;
                }
                q.pollFirst();
                live[c]--;
                total--;
                head.refuse(Refusal.QUEUE_TIMEOUT);
                if (out == null) {
                    out = new ArrayList<>();
                }
                out.add(head);
            }
        }
        return out;
    }

    private Permit displaceBelow(int priority) {
        for (int c = 0; c < priority; c++) {
            if (live[c] > 0) {
                Permit victim = pollOldest(c);
                victim.refuse(Refusal.DISPLACED);
                return victim;
            }
        }
        return null;
    }

    private Permit pollOldest(int c) {
        ArrayDeque<Permit> q = byClass[c];
        for (;;) {
            Permit p = q.pollFirst();
            assert p != null : "class " + c + " counted " + live[c] + " live waiters but its deque ran dry";
            if (p.state() == Permit.State.QUEUED) {
                live[c]--;
                total--;
                return p;
            }
        }
    }
}
