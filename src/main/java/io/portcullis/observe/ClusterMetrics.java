package io.portcullis.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * Upstream failure and health counters of one cluster, fed by the upstream layer (connection pools, exchanges,
 * health checks). Obtained from {@link GatewayMetrics#cluster} when a snapshot is built; the failure counters are
 * lock-free and safe to call from any event loop.
 */
public final class ClusterMetrics {
    private final MeterRegistry registry;
    private final String cluster;
    private final Counter connectErrors;
    private final Counter timeouts;
    private final Counter resets;
    private final Counter poolOverflows;
    private final Counter retries;
    private final Counter overflows;

    ClusterMetrics(MeterRegistry registry, String cluster) {
        this.registry = registry;
        this.cluster = cluster;
        Tags tags = Tags.of(MetricNames.TAG_CLUSTER, cluster);
        connectErrors = counter(MetricNames.UPSTREAM_CONNECT_ERRORS, tags,
                "Upstream connection attempts refused or timed out");
        timeouts = counter(MetricNames.UPSTREAM_TIMEOUTS, tags,
                "Upstream exchanges without a response head within the route timeout");
        resets = counter(MetricNames.UPSTREAM_RESETS, tags,
                "Upstream connections reset or closed in the middle of an exchange");
        poolOverflows = counter(MetricNames.UPSTREAM_POOL_OVERFLOWS, tags,
                "Requests refused because an endpoint's connection pool was full");
        retries = counter(MetricNames.UPSTREAM_RETRIES, tags, "Tries started again after a failed try");
        overflows = counter(MetricNames.UPSTREAM_OVERFLOWS, tags,
                "Requests refused at once because the cluster's bulkhead was full");
    }

    private Counter counter(String name, Tags tags, String description) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    public void connectError() {
        connectErrors.increment();
    }

    public void timeout() {
        timeouts.increment();
    }

    public void reset() {
        resets.increment();
    }

    public void poolOverflow() {
        poolOverflows.increment();
    }

    public void retry() {
        retries.increment();
    }

    public void overflow() {
        overflows.increment();
    }

    /** An endpoint was ejected as an outlier. Rare, so the registry look-up may allocate. */
    public void ejection(String reason) {
        Counter.builder(MetricNames.UPSTREAM_EJECTIONS)
                .description("Endpoints ejected as outliers, by reason")
                .tags(MetricNames.TAG_CLUSTER, cluster, MetricNames.TAG_REASON, reason)
                .register(registry)
                .increment();
    }

    /** A health check changed its verdict on {@code endpoint}. Rare, so the registry look-up may allocate. */
    public void healthTransition(String endpoint, boolean healthy) {
        Counter.builder(MetricNames.UPSTREAM_HEALTH_TRANSITIONS)
                .description("Health check verdict changes, by the state the endpoint changed to")
                .tags(MetricNames.TAG_CLUSTER, cluster, MetricNames.TAG_ENDPOINT, endpoint,
                        MetricNames.TAG_TO, healthy ? MetricNames.HEALTHY : MetricNames.UNHEALTHY)
                .register(registry)
                .increment();
    }
}
