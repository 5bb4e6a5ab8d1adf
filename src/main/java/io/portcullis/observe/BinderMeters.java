package io.portcullis.observe;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Brings the meters of Micrometer's stock binders in line with Prometheus naming before they are registered, so
 * that the whole scrape passes {@code promtool check metrics} (PromtoolTest).
 *
 * <ul>
 *   <li>{@link NettyAllocatorMetrics} (Micrometer 1.17) reads Netty 4.2's allocator fine but registers its gauges
 *       without descriptions or units, and tags them with the allocator's identity hash. An empty {@code # HELP}
 *       fails the lint; the hash would start a new series on every restart.
 *   <li>{@link ProcessorMetrics} names the processor count {@code system_cpu_count}, which the lint reads as a
 *       histogram's count, and the CPU time {@code process_cpu_time_ns_total}, an abbreviated unit. The first is
 *       renamed; the second is dropped, and {@link GatewayMetrics} publishes it in seconds instead.
 * </ul>
 */
final class BinderMeters implements MeterFilter {
    private static final Map<String, String> NETTY_HELP = Map.of(
            MetricNames.NETTY_MEMORY_USED, "Memory reserved by Netty's buffer allocator",
            MetricNames.NETTY_MEMORY_PINNED, "Memory held by buffers of Netty's allocator that are in use",
            MetricNames.NETTY_POOLED_ARENAS, "Arenas of Netty's pooled allocator",
            MetricNames.NETTY_POOLED_CACHE_SIZE, "Buffers kept per thread-local cache of Netty's pooled allocator",
            MetricNames.NETTY_POOLED_THREADLOCAL_CACHES, "Thread-local caches of Netty's pooled allocator",
            MetricNames.NETTY_POOLED_CHUNK_SIZE, "Chunk size of Netty's pooled allocator");
    private static final Set<String> NETTY_IN_BYTES = Set.of(MetricNames.NETTY_MEMORY_USED,
            MetricNames.NETTY_MEMORY_PINNED, MetricNames.NETTY_POOLED_CHUNK_SIZE);

    @Override
    public MeterFilterReply accept(Meter.Id id) {
        return id.getName().equals(MetricNames.MICROMETER_PROCESS_CPU_TIME) ? MeterFilterReply.DENY
                : MeterFilterReply.NEUTRAL;
    }

    @Override
    public Meter.Id map(Meter.Id id) {
        String name = id.getName();
        if (name.equals(MetricNames.MICROMETER_SYSTEM_CPU_COUNT)) {
            return id.withName(MetricNames.SYSTEM_CPUS);
        }
        if (!name.startsWith(MetricNames.NETTY_ALLOCATOR_PREFIX)) {
            return id;
        }
        List<Tag> tags = id.getTags().stream()
                .filter(t -> !t.getKey().equals(MetricNames.NETTY_ALLOCATOR_ID_TAG))
                .toList();
        String description = id.getDescription() == null || id.getDescription().isBlank()
                ? NETTY_HELP.getOrDefault(name, "Netty buffer allocator metric " + name)
                : id.getDescription();
        String baseUnit = id.getBaseUnit() == null && NETTY_IN_BYTES.contains(name) ? "bytes" : id.getBaseUnit();
        return new Meter.Id(name, Tags.of(tags), baseUnit, description, id.getType());
    }
}
