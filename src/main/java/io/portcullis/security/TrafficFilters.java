package io.portcullis.security;

import io.portcullis.filter.Filter;

/**
 * The traffic filters (from {@code ratelimit}) a route's security policy places among its own; each is null when
 * its feature is off for the route.
 *
 * @param anomaly          anomaly actions by client address and route, before authentication
 * @param consumerAnomaly  anomaly actions by consumer, once authentication has named one
 * @param rateLimit        the route's rate limits, after authorization
 * @param admission        overload admission, last of all
 */
public record TrafficFilters(Filter anomaly, Filter consumerAnomaly, Filter rateLimit, Filter admission) {
    public static final TrafficFilters NONE = new TrafficFilters(null, null, null, null);
}
