package io.portcullis.ratelimit.anomaly;

/**
 * Where key states hand what fired during a tick. {@link #covers} comes first so that a key under attack, which
 * fires every second, costs a lookup and not a reason string per second.
 */
interface FindingSink {
    /** Whether an action (active, or lifted but not yet expired) already covers this rule on this key. */
    boolean covers(Rule rule, AnomalyKey key);

    void raise(AnomalyKey key, Finding finding);
}
