package io.portcullis.ratelimit.anomaly;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One finding and what was done about it, as the admin API lists it ({@code GET /anomalies}) and as the listener
 * hears of it. Immutable; built on the tick thread, never on the request path.
 *
 * @param id what an operator passes to {@link AnomalyDetector#lift}: the rule's slug and a sequence number
 * @param action what the gateway does to the key until {@code expiresAt}
 * @param limitPerSecond the rate a {@link ActionType#THROTTLE} lets through; 0 for the other kinds
 * @param reason one line for people, with the figures that tripped the rule
 * @param evidence the same figures for machines (rates per second, counts, shares in [0, 1]), in a stable order
 */
public record AnomalyAction(
        String id,
        Rule rule,
        AnomalyKey key,
        ActionType action,
        double limitPerSecond,
        String reason,
        Map<String, Number> evidence,
        Instant createdAt,
        Instant expiresAt) {

    public AnomalyAction {
        Objects.requireNonNull(id, "id must not be null");
        Objects.requireNonNull(rule, "rule must not be null");
        Objects.requireNonNull(key, "key must not be null");
        Objects.requireNonNull(action, "action must not be null");
        Objects.requireNonNull(reason, "reason must not be null");
        Objects.requireNonNull(evidence, "evidence must not be null");
        Objects.requireNonNull(createdAt, "createdAt must not be null");
        Objects.requireNonNull(expiresAt, "expiresAt must not be null");
    }
}
