package io.portcullis.admin;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the admin listener shows, read per admin request. The gateway's wiring implements it over the current
 * snapshot and the metrics registry; tests implement it by hand.
 *
 * <p>Called on an event loop of the group the {@link AdminServer} was started on, so implementations answer from
 * state they already hold and never block.
 */
public interface AdminModel {
    /** {@code GET /health/ready}. */
    Readiness readiness();

    /** {@code GET /clusters}: clusters, their endpoints and health. */
    JsonNode clusters();

    /** {@code GET /config}: the running config, with secrets redacted (see {@link ConfigJson#redacted}). */
    JsonNode config();

    /** {@code GET /metrics}: the exposition, in the format named by {@link #metricsContentType()}. */
    String metrics();

    String metricsContentType();

    /** {@code GET /anomalies}: the anomaly actions in force. */
    default JsonNode anomalies() {
        return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().putArray("anomalies");
    }

    /** {@code DELETE /anomalies/<id>}: lifts an action; false when there is none with that id. */
    default boolean liftAnomaly(String id) {
        return false;
    }
}
