package io.portcullis.observe;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One duration histogram family (all its label sets) as a collector of the Prometheus registry under Micrometer,
 * so that {@link GatewayMetrics#scrape()} renders it next to the Micrometer meters.
 */
final class HistogramCollector implements Collector {
    private final String name;
    private final String help;
    // Written when a snapshot is built, read by every scrape.
    private final List<Series> series = new CopyOnWriteArrayList<>();

    private record Series(Labels labels, DurationHistogram histogram) {
    }

    /** @param name the Prometheus name, ending in {@code _seconds} */
    HistogramCollector(String name, String help) {
        this.name = name;
        this.help = help;
    }

    /** A new series; the caller caches it, since two series with equal labels would be an invalid exposition. */
    DurationHistogram add(Labels labels) {
        DurationHistogram histogram = new DurationHistogram();
        series.add(new Series(labels, histogram));
        return histogram;
    }

    @Override
    public MetricSnapshot collect() {
        HistogramSnapshot.Builder snapshot = HistogramSnapshot.builder().name(name).help(help).unit(Unit.SECONDS);
        for (Series s : series) {
            snapshot.dataPoint(s.histogram().snapshot(s.labels()));
        }
        return snapshot.build();
    }

    /** Lets the registry refuse a second family of the same name at registration rather than at scrape time. */
    @Override
    public MetricFamilyDescriptor getMetricFamilyDescriptor() {
        return MetricFamilyDescriptor.of(MetricType.HISTOGRAM, new MetricMetadata(name, help, Unit.SECONDS),
                Set.of(MetricNames.TAG_ROUTE, MetricNames.TAG_CLUSTER));
    }
}
