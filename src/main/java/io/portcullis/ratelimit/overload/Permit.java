package io.portcullis.ratelimit.overload;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * One request's place in {@link PriorityAdmission}: returned by {@link PriorityAdmission#tryAcquire}, passed to the
 * {@link AdmissionCallback}, and handed back to {@link PriorityAdmission#release} (or {@link
 * PriorityAdmission#abandon}) once the request finished, or to {@link PriorityAdmission#cancel} if the client left
 * while it was still waiting.
 *
 * <p>Every transition but release happens under the admission lock; release is a compare-and-set, so a permit
 * released twice fails loudly instead of freeing somebody else's slot.
 */
public final class Permit {
    enum State { NEW, QUEUED, ADMITTED, REFUSED, CANCELLED, RELEASED }

    private static final AtomicReferenceFieldUpdater<Permit, State> STATE =
            AtomicReferenceFieldUpdater.newUpdater(Permit.class, State.class, "state");

    private final int priority;
    final Executor executor;
    final AdmissionCallback callback;
    /** Written under the admission lock when queued; read under it. */
    long enqueuedNanos;
    /** Written under the admission lock before the refusal is delivered. */
    Refusal refusal;
    private volatile State state = State.NEW;

    Permit(int priority, Executor executor, AdmissionCallback callback) {
        this.priority = priority;
        this.executor = Objects.requireNonNull(executor, "executor must not be null");
        this.callback = Objects.requireNonNull(callback, "callback must not be null");
    }

    /** The priority class it asked for; higher is admitted first. */
    public int priority() {
        return priority;
    }

    /** Whether it is waiting for a slot, so the caller must {@link PriorityAdmission#cancel} it if the client goes. */
    public boolean isQueued() {
        return state == State.QUEUED;
    }

    /** Whether it holds a slot that has not been released yet. */
    public boolean isAdmitted() {
        return state == State.ADMITTED;
    }

    State state() {
        return state;
    }

    void queue(long now) {
        enqueuedNanos = now;
        state = State.QUEUED;
    }

    void admit() {
        state = State.ADMITTED;
    }

    void refuse(Refusal why) {
        refusal = why;
        state = State.REFUSED;
    }

    void cancel() {
        state = State.CANCELLED;
    }

    /** True for the one call that gives the slot back. */
    boolean markReleased() {
        return STATE.compareAndSet(this, State.ADMITTED, State.RELEASED);
    }

    @Override
    public String toString() {
        return "Permit[priority=" + priority + ", " + state + "]";
    }
}
