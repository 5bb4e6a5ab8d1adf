package io.portcullis.resilience;

import io.portcullis.resilience.CircuitBreaker.Listener;
import io.portcullis.resilience.CircuitBreaker.Phase;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hands a {@link CircuitBreaker}'s transitions to its listener in order, each once, one at a time, without a lock.
 *
 * <p>Each transition links the old phase to the new one ({@link Phase#next}) and then calls {@link #deliver}. Of
 * the threads calling it, the one that moves {@code pending} off zero drains: it walks the links from the last
 * phase delivered and reports each step, and keeps going while other threads announced more work meanwhile (the
 * "missed" counter of Reactive Streams' serialized emitters). The rest return at once. A thread that won a transition
 * but has not linked it yet stops the walk short; its own {@code deliver} call afterwards guarantees another pass.
 * Without this, two threads winning consecutive transitions could call the listener out of order, and a gauge
 * mirroring the state would end on the wrong one.
 */
final class TransitionDelivery {
    private final CircuitBreaker breaker;
    private final Listener listener;
    private final AtomicInteger pending = new AtomicInteger();
    /** Touched only by the draining thread; handed between drainers through {@code pending}. */
    private Phase delivered;

    TransitionDelivery(CircuitBreaker breaker, Listener listener, Phase initial) {
        this.breaker = breaker;
        this.listener = listener;
        this.delivered = initial;
    }

    void deliver() {
        if (pending.getAndIncrement() != 0) {
            return;
        }
        RuntimeException failure = null;
        int missed = 1;
        do {
            for (Phase next = delivered.next; next != null; next = next.next) {
                try {
                    listener.onStateChange(breaker, next.from, next.state, next.reason);
                } catch (RuntimeException e) {
                    // Keep delivering the rest, then fail the caller: a broken listener is a programmer error, but
                    // it must not leave transitions undelivered or this drain marked as running forever.
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
                delivered = next;
            }
            missed = pending.addAndGet(-missed);
        } while (missed != 0);
        if (failure != null) {
            throw failure;
        }
    }
}
