package io.portcullis.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a cluster protects itself and its callers: request timeouts (defaults for the routes that send to it), the
 * retry policy, bulkhead limits and the failover cluster. Routes may override the timeouts and the retry policy.
 *
 * @param perTryTimeout default time from sending one try upstream to its response head, and longest silence between
 *                      response body reads; null = {@link RouteConfig#DEFAULT_TIMEOUT}
 * @param totalTimeout  default bound on the whole exchange, retries and backoff included, until the response head;
 *                      null = none
 * @param retry         the retry policy, or {@link Retry#NONE}
 * @param maxRequests   requests in flight to the cluster, over all event loops; beyond it, 503 at once
 * @param maxPending    requests waiting for a pooled connection, over all event loops; beyond it, 503 at once
 * @param failover      a cluster to send to while this one has no healthy endpoint, or null
 * @param outlier       passive outlier ejection, or null for none
 * @param breaker       the cluster's circuit breaker, or null for none
 * @param idleTimeout   default longest silence between response body reads once the head arrived; null = the
 *                      per-try timeout
 * @param drainTimeout  on shutdown, how long requests in flight to this cluster may still take; null = the
 *                      server's {@code drain_timeout}
 */
public record ResilienceConfig(
        Duration perTryTimeout,
        Duration totalTimeout,
        Retry retry,
        int maxRequests,
        int maxPending,
        String failover,
        Outlier outlier,
        Breaker breaker,
        Duration idleTimeout,
        Duration drainTimeout) {

    public static final int DEFAULT_MAX_REQUESTS = 10_000;
    public static final int DEFAULT_MAX_PENDING = 1_000;
    public static final ResilienceConfig DEFAULT = new ResilienceConfig(null, null, Retry.NONE, DEFAULT_MAX_REQUESTS,
            DEFAULT_MAX_PENDING, null, null, null, null, null);

    public ResilienceConfig {
        Objects.requireNonNull(retry, "retry");
        if (maxRequests < 1) {
            throw new IllegalArgumentException("max_requests must be >= 1, was " + maxRequests);
        }
        if (maxPending < 0) {
            throw new IllegalArgumentException("max_pending must be >= 0, was " + maxPending);
        }
    }

    /**
     * Passive outlier ejection (Envoy's outlier detection): endpoints that fail in a row, or whose success rate falls
     * well below their peers', stop receiving requests for an ejection time that grows with repeated ejections.
     * Validated where it is used ({@code resilience.OutlierDetector.Config}).
     */
    public record Outlier(
            int consecutive5xx,
            int consecutiveGatewayFailures,
            Duration interval,
            Duration baseEjectionTime,
            Duration maxEjectionTime,
            int maxEjectionPercent,
            double successRateStdevFactor,
            int successRateMinimumHosts,
            int successRateRequestVolume) {
        public Outlier {
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(baseEjectionTime, "baseEjectionTime");
            Objects.requireNonNull(maxEjectionTime, "maxEjectionTime");
        }
    }

    /**
     * A circuit breaker: trips on the failure rate or the slow-call rate (percent) over a sliding window once it holds
     * {@code minimumCalls}; stays open for {@code openDuration}; then lets {@code halfOpenCalls} probes decide.
     * Validated where it is used ({@code resilience.CircuitBreaker.Config}).
     */
    public record Breaker(
            double failureRate,
            double slowCallRate,
            Duration slowCallDuration,
            int minimumCalls,
            Duration window,
            Duration openDuration,
            int halfOpenCalls) {
        public Breaker {
            Objects.requireNonNull(slowCallDuration, "slowCallDuration");
            Objects.requireNonNull(window, "window");
            Objects.requireNonNull(openDuration, "openDuration");
        }
    }

    /**
     * When and how a failed try is tried again.
     *
     * @param maxRetries       tries after the first; 0 = no retries
     * @param onConnectFailure retry when the connection could not be opened
     * @param onReset          retry when the connection broke before the response head
     * @param onTimeout        retry when a try timed out before the response head
     * @param statuses         response statuses that are retried (the response is discarded)
     * @param backoffBase      exponential backoff with full jitter: retry k waits up to
     *                         {@code min(backoffMax, backoffBase * 2^(k-1))}
     * @param budgetPercent    retries in flight at most this percentage of the cluster's requests in flight...
     * @param budgetMinRetries ...or this many, whichever is larger
     * @param nonIdempotent    also retry methods that are not idempotent (a request with {@code Idempotency-Key} is
     *                         retried regardless)
     * @param maxBodyBytes     request bodies up to this size are kept for replay; larger ones are not retried
     */
    public record Retry(
            int maxRetries,
            boolean onConnectFailure,
            boolean onReset,
            boolean onTimeout,
            List<Integer> statuses,
            Duration backoffBase,
            Duration backoffMax,
            double budgetPercent,
            int budgetMinRetries,
            boolean nonIdempotent,
            long maxBodyBytes) {

        public static final List<Integer> DEFAULT_STATUSES = List.of(502, 503, 504);
        public static final Duration DEFAULT_BACKOFF_BASE = Duration.ofMillis(25);
        public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofMillis(250);
        public static final Retry NONE = new Retry(0, false, false, false, List.of(), DEFAULT_BACKOFF_BASE,
                DEFAULT_BACKOFF_MAX, 20, 3, false, 0);

        public Retry {
            if (maxRetries < 0) {
                throw new IllegalArgumentException("max_retries must be >= 0, was " + maxRetries);
            }
            statuses = List.copyOf(statuses);
            Objects.requireNonNull(backoffBase, "backoffBase");
            Objects.requireNonNull(backoffMax, "backoffMax");
            if (backoffBase.isZero() || backoffBase.isNegative() || backoffMax.compareTo(backoffBase) < 0) {
                throw new IllegalArgumentException("backoff needs 0 < base <= max, was " + backoffBase + " and "
                        + backoffMax);
            }
            if (!(budgetPercent >= 0 && budgetPercent <= 100)) {
                throw new IllegalArgumentException("budget.percent must be in [0, 100], was " + budgetPercent);
            }
            if (budgetMinRetries < 0 || maxBodyBytes < 0) {
                throw new IllegalArgumentException("budget.min_retries and max_body must be >= 0, were "
                        + budgetMinRetries + " and " + maxBodyBytes);
            }
        }

        public boolean retriesStatus(int status) {
            return statuses.contains(status);
        }
    }
}
