package io.portcullis.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.prometheus.metrics.model.snapshots.Labels;

/**
 * The meters of one route (and the cluster it sends to), fed once per finished exchange at the end of the request
 * path, next to the access log. Obtained from {@link GatewayMetrics#route} when a config snapshot is built, so the
 * per-request call only touches meters that already exist.
 */
public final class RouteMetrics {
    private final Counter[] requests;
    private final DurationHistogram duration;
    private final DurationHistogram upstreamDuration;
    private final Counter requestBytes;
    private final Counter responseBytes;

    RouteMetrics(MeterRegistry registry, HistogramCollector durations, HistogramCollector upstreamDurations,
            String route, String cluster) {
        Tags tags = Tags.of(MetricNames.TAG_ROUTE, route, MetricNames.TAG_CLUSTER, cluster);
        requests = new Counter[MetricNames.STATUS_CLASSES.size()];
        for (int i = 0; i < requests.length; i++) {
            requests[i] = Counter.builder(MetricNames.REQUESTS)
                    .description("Finished exchanges by response status class; none = no response was sent")
                    .tags(tags).tag(MetricNames.TAG_STATUS_CLASS, MetricNames.STATUS_CLASSES.get(i))
                    .register(registry);
        }
        Labels labels = Labels.of(MetricNames.TAG_ROUTE, route, MetricNames.TAG_CLUSTER, cluster);
        duration = durations.add(labels);
        upstreamDuration = upstreamDurations.add(labels);
        requestBytes = Counter.builder(MetricNames.REQUEST_BYTES).baseUnit("bytes")
                .description("Request body bytes received from clients").tags(tags).register(registry);
        responseBytes = Counter.builder(MetricNames.RESPONSE_BYTES).baseUnit("bytes")
                .description("Response body bytes sent to clients").tags(tags).register(registry);
    }

    /**
     * One finished exchange. Called on event loops, concurrently from several threads: lock-free and, once the
     * meters' striped cells exist, allocation-free.
     *
     * @param status        status sent to the client, or 0 when none was (client went away, exchange aborted)
     * @param totalNanos    request head received to last byte written
     * @param upstreamNanos request sent upstream to response head, or negative when no backend was reached
     * @param bytesIn       request body bytes
     * @param bytesOut      response body bytes
     */
    public void record(int status, long totalNanos, long upstreamNanos, long bytesIn, long bytesOut) {
        requests[statusClass(status)].increment();
        duration.record(Math.max(totalNanos, 0));
        if (upstreamNanos >= 0) {
            upstreamDuration.record(upstreamNanos);
        }
        if (bytesIn > 0) {
            requestBytes.increment(bytesIn);
        }
        if (bytesOut > 0) {
            responseBytes.increment(bytesOut);
        }
    }

    /**
     * Index into {@link MetricNames#STATUS_CLASSES}. Any other status outside 100..599 (Netty parses every
     * three-digit status from a backend, and the gateway relays it) counts as a server error, not as "no response".
     */
    static int statusClass(int status) {
        if (status <= 0) {
            return 0;
        }
        return status < 100 ? 5 : Math.min(status / 100, 5);
    }
}
