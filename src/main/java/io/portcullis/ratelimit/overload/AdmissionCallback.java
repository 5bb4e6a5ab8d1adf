package io.portcullis.ratelimit.overload;

import java.time.Duration;

/**
 * How {@link PriorityAdmission} tells a request its fate. Exactly one method is called, exactly once, and always on
 * the request's own thread: directly inside {@link PriorityAdmission#tryAcquire} when the decision is immediate,
 * otherwise through the {@link java.util.concurrent.Executor} given there (the request's event loop). Both run on
 * an event loop, so they must not block.
 */
public interface AdmissionCallback {

    /** The request may go on; it must later hand the permit back with {@link PriorityAdmission#release}. */
    void onAdmitted(Permit permit);

    /**
     * The request was shed; the permit holds nothing and must not be released.
     *
     * @param retryAfter what to put in the {@code Retry-After} header
     */
    void onRefused(Permit permit, Refusal reason, Duration retryAfter);
}
