package io.portcullis.ratelimit.anomaly;

import java.util.Objects;

/**
 * One finished exchange as the detector sees it, reported after the response by {@link AnomalyDetector#record}.
 *
 * @param clientIp the client address the gateway trusts (after any forwarded-for handling); never null
 * @param consumer the authenticated consumer, or null when the request carried none or failed authentication
 * @param route the matched route id, or null when no route matched (a scanner's 404s mostly look like that)
 * @param status the status the client got
 * @param path the request path without the query; read only for 404s, may be null
 */
public record Observation(String clientIp, String consumer, String route, int status, String path) {
    public Observation {
        Objects.requireNonNull(clientIp, "clientIp must not be null");
    }
}
