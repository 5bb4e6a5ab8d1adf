package io.portcullis.ratelimit.anomaly;

/**
 * Hears of every action's life (raised, lifted, expired), for the metrics and log lines the gateway hangs off the
 * detector. Called on the tick thread (raised, expired) or the admin thread (lifted), never on an event loop, one
 * call at a time per thread; an exception is logged and does not stop the tick.
 */
public interface AnomalyListener {
    AnomalyListener NONE = new AnomalyListener() { };

    default void onRaised(AnomalyAction action) {
    }

    default void onLifted(AnomalyAction action) {
    }

    default void onExpired(AnomalyAction action) {
    }

    /** A finding was not acted upon because {@code maxActions} were already active (a botnet, or a bad rule). */
    default void onDropped(Rule rule, AnomalyKey key) {
    }
}
