package io.portcullis.server;

import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.portcullis.observe.AccessLog;
import io.portcullis.observe.GatewayMetrics;
import io.portcullis.ratelimit.anomaly.AnomalyDetector;
import io.portcullis.upstream.UpstreamPools;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What every connection of one gateway shares: the current snapshot, the per-loop upstream pools, the access log,
 * the metrics and the drain flag. Created by {@link Gateway}; handlers read it, never replace it.
 */
final class GatewayContext {
    private final AtomicReference<Snapshot> snapshot;
    private final Map<EventLoop, UpstreamPools> pools;
    private final AccessLog accessLog;
    private final GatewayMetrics metrics;
    private final ChannelGroup downstreamChannels;
    private volatile GatewayAnomalies anomalies;
    private volatile GatewayAdmission admissions;
    private volatile boolean draining;

    GatewayContext(Snapshot initial, Map<EventLoop, UpstreamPools> pools, AccessLog accessLog,
            GatewayMetrics metrics, ChannelGroup downstreamChannels) {
        this.metrics = metrics;
        this.snapshot = new AtomicReference<>(initial);
        this.pools = Map.copyOf(pools);
        this.accessLog = accessLog;
        this.downstreamChannels = downstreamChannels;
    }

    Snapshot snapshot() {
        return snapshot.get();
    }

    void publish(Snapshot next) {
        snapshot.set(next);
    }

    UpstreamPools pools(EventLoop loop) {
        UpstreamPools p = pools.get(loop);
        if (p == null) {
            throw new IllegalStateException("no upstream pools for event loop " + loop);
        }
        return p;
    }

    Iterable<UpstreamPools> allPools() {
        return pools.values();
    }

    AccessLog accessLog() {
        return accessLog;
    }

    GatewayMetrics metrics() {
        return metrics;
    }

    ChannelGroup downstreamChannels() {
        return downstreamChannels;
    }

    boolean draining() {
        return draining;
    }

    void startDraining() {
        draining = true;
    }

    /** The gateway's anomaly detector ({@link AnomalyDetector#NONE} when off). */
    AnomalyDetector anomaly() {
        GatewayAnomalies a = anomalies;
        return a == null ? AnomalyDetector.NONE : a.current();
    }

    /** What keeps the detector across reloads. */
    GatewayAnomalies anomalies() {
        return anomalies;
    }

    void anomalies(GatewayAnomalies anomalies) {
        this.anomalies = anomalies;
    }

    /** What keeps the gateway-wide overload admission across reloads. */
    GatewayAdmission admissions() {
        return admissions;
    }

    void admissions(GatewayAdmission admissions) {
        this.admissions = admissions;
    }
}
