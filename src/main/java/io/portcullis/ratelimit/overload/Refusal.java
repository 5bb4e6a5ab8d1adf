package io.portcullis.ratelimit.overload;

/**
 * Why {@link PriorityAdmission} turned a request away. The filter answers each with 503 and a {@code Retry-After},
 * and uses the name as the typed reason in the access log and metrics.
 */
public enum Refusal {
    /** The limit was reached and there was no room to wait: its class was at its cap, or every waiter ranked at
     * least as high. */
    QUEUE_FULL,
    /** It was waiting and a higher class arrived to a full waiting room; the lowest class is shed first. */
    DISPLACED,
    /** It waited the longest a request may wait ({@code maxQueueTime}) without being admitted. */
    QUEUE_TIMEOUT
}
