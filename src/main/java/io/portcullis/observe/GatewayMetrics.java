package io.portcullis.observe;

import com.sun.management.OperatingSystemMXBean;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.IntSupplier;
import java.util.function.ToLongFunction;
import java.util.function.ToDoubleFunction;

/**
 * The gateway's metrics (facade of the metrics part of this package): one Prometheus registry holding per-route
 * exchange meters ({@link RouteMetrics}), per-cluster upstream counters ({@link ClusterMetrics}), per-endpoint
 * gauges, JVM and process meters, and Netty's pooled allocator. The admin listener serves {@link #scrape()}.
 *
 * <p>Route and cluster meters are created while a config snapshot is built, off the event loops, and cached, so a
 * reload that keeps a route keeps its series; one that drops a route leaves its last values in the scrape until
 * restart (counters must not reset under a running Prometheus). Names live in {@link MetricNames}.
 */
public final class GatewayMetrics implements AutoCloseable {
    /**
     * Prometheus text format 0.0.4. Spelled out because the client's writer class is only a runtime dependency of
     * the Micrometer registry; a test checks it still matches
     * {@code PrometheusTextFormatWriter.CONTENT_TYPE}.
     */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gcMetrics;
    private final HistogramCollector durations;
    private final HistogramCollector upstreamDurations;
    private final ConcurrentMap<RouteKey, RouteMetrics> routes = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, ClusterMetrics> clusters = new ConcurrentHashMap<>();
    private final ConcurrentMap<EndpointKey, List<Meter>> endpoints = new ConcurrentHashMap<>();

    private record RouteKey(String route, String cluster) {
    }

    private record EndpointKey(String cluster, String endpoint) {
    }

    private GatewayMetrics(PrometheusMeterRegistry registry, JvmGcMetrics gcMetrics) {
        this.registry = registry;
        this.gcMetrics = gcMetrics;
        durations = histogram(MetricNames.REQUEST_DURATION,
                "Time from receiving the request head to writing the last response byte");
        upstreamDurations = histogram(MetricNames.UPSTREAM_DURATION,
                "Time from sending the request upstream to receiving the response head");
    }

    /** Named by the registry's own convention, as a Micrometer timer of that name would be. */
    private HistogramCollector histogram(String name, String help) {
        HistogramCollector collector = new HistogramCollector(
                registry.config().namingConvention().name(name, Meter.Type.TIMER), help);
        registry.getPrometheusRegistry().register(collector);
        return collector;
    }

    /** A registry with the JVM, process and Netty allocator meters bound; route and cluster meters come later. */
    public static GatewayMetrics create() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // Filters apply to meters registered after them, so this goes before the binders.
        registry.config().meterFilter(new BinderMeters());
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        bindProcessCpu(registry);
        new UptimeMetrics().bindTo(registry);
        new NettyAllocatorMetrics(PooledByteBufAllocator.DEFAULT).bindTo(registry);
        return new GatewayMetrics(registry, gcMetrics);
    }

    /** CPU time in seconds, as Prometheus' own clients name it; {@link BinderMeters} drops Micrometer's. */
    private static void bindProcessCpu(MeterRegistry registry) {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os
                && os.getProcessCpuTime() >= 0) {
            FunctionCounter.builder(MetricNames.PROCESS_CPU, os, o -> o.getProcessCpuTime() / 1e9)
                    .baseUnit("seconds")
                    .description("CPU time used by the gateway process")
                    .register(registry);
        }
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Every meter in Prometheus text exposition format 0.0.4. */
    public String scrape() {
        return registry.scrape(CONTENT_TYPE);
    }

    /** The Content-Type of {@link #scrape()}. */
    public String contentType() {
        return CONTENT_TYPE;
    }

    /** The meters of one route; the same arguments return the same instance. */
    public RouteMetrics route(String route, String cluster) {
        return routes.computeIfAbsent(new RouteKey(route, cluster),
                k -> new RouteMetrics(registry, durations, upstreamDurations, k.route(), k.cluster()));
    }

    /**
     * The meters of answers given before a route was found (404 no route, 4xx refusals): route and cluster
     * {@value MetricNames#NONE}.
     */
    public RouteMetrics unrouted() {
        return route(MetricNames.NONE, MetricNames.NONE);
    }

    /** The upstream counters of one cluster; the same name returns the same instance. */
    public ClusterMetrics cluster(String cluster) {
        return clusters.computeIfAbsent(cluster, c -> new ClusterMetrics(registry, c));
    }

    /**
     * Registers (replacing any earlier one of the same name) the state gauge of a circuit breaker: 0 closed, 1 open,
     * 2 half-open, read from {@code state} at scrape time.
     */
    public void breaker(String name, IntSupplier state) {
        Tags tags = Tags.of(MetricNames.TAG_BREAKER, name);
        Meter.Id id = new Meter.Id(MetricNames.BREAKER_STATE, tags, null, null, Meter.Type.GAUGE);
        registry.remove(id);
        Gauge.builder(MetricNames.BREAKER_STATE, state, s -> s.getAsInt())
                .description("Circuit breaker state: 0 closed, 1 open, 2 half-open").tags(tags)
                .strongReference(true).register(registry);
    }

    /** The anomaly detector raised an action. */
    public void anomalyAction(String rule, String action) {
        Counter.builder(MetricNames.ANOMALY_ACTIONS)
                .description("Actions raised by the anomaly detector, by rule and action")
                .tags(MetricNames.TAG_RULE, rule, MetricNames.TAG_ACTION, action)
                .register(registry).increment();
    }

    /** A listener's connection limits closed a new connection; {@code reason} says which limit. */
    public void connectionRefused(String listener, String reason) {
        Counter.builder(MetricNames.CONNECTIONS_REFUSED)
                .description("Connections closed at accept by a listener's connection limits")
                .tags(MetricNames.TAG_LISTENER, listener, MetricNames.TAG_REASON, reason)
                .register(registry).increment();
    }

    /** A security filter refused a request; {@code reason} is its error code ({@code INVALID_TOKEN}). */
    public void securityRejection(String route, String filter, String reason) {
        Counter.builder(MetricNames.SECURITY_REJECTIONS)
                .description("Requests refused by a security filter, by filter and reason")
                .tags(MetricNames.TAG_ROUTE, route, MetricNames.TAG_FILTER, filter, MetricNames.TAG_REASON, reason)
                .register(registry).increment();
    }

    /** A filter in detect-only mode found something and let the request pass. */
    public void securityDetection(String route, String filter, String reason) {
        Counter.builder(MetricNames.SECURITY_DETECTIONS)
                .description("Findings of security filters in detect-only mode (requests passed)")
                .tags(MetricNames.TAG_ROUTE, route, MetricNames.TAG_FILTER, filter, MetricNames.TAG_REASON, reason)
                .register(registry).increment();
    }

    /**
     * Registers the fetch counters of a JWT provider's JWKS source (replacing an earlier registration of the same
     * provider): {@code result} is {@code success} or {@code failure}.
     */
    public <T> void jwks(String provider, T source, ToLongFunction<T> succeeded, ToLongFunction<T> failed) {
        registerFetches(provider, "success", source, succeeded);
        registerFetches(provider, "failure", source, failed);
    }

    /** Micrometer holds {@code source} weakly: the caller keeps it (the JWKS source lives as long as it is used). */
    private <T> void registerFetches(String provider, String result, T source, ToLongFunction<T> count) {
        Tags tags = Tags.of(MetricNames.TAG_PROVIDER, provider, MetricNames.TAG_RESULT, result);
        registry.remove(new Meter.Id(MetricNames.JWKS_FETCHES, tags, null, null, Meter.Type.COUNTER));
        FunctionCounter.builder(MetricNames.JWKS_FETCHES, source, s -> count.applyAsLong(s))
                .description("JWKS downloads by outcome").tags(tags).register(registry);
    }

    /** An IP-list or API-key file changed and was re-read: {@code result} is {@code success} or {@code failure}. */
    public void securityFileReload(String file, String result) {
        Counter.builder(MetricNames.SECURITY_FILE_RELOADS)
                .description("IP-list and API-key file reloads by outcome")
                .tags(MetricNames.TAG_FILE, file, MetricNames.TAG_RESULT, result)
                .register(registry).increment();
    }

    /** A downstream TLS handshake failed (bad client certificate, no shared protocol or cipher, a timeout). */
    public void tlsHandshakeFailure(String listener) {
        Counter.builder(MetricNames.TLS_HANDSHAKE_FAILURES)
                .description("Downstream TLS handshakes that failed")
                .tags(MetricNames.TAG_LISTENER, listener)
                .register(registry).increment();
    }

    /**
     * Sets the expiry gauges of a listener's certificates to what it serves now: {@code notAfter} in Unix seconds
     * by certificate file. Certificates no longer served lose their series.
     */
    public synchronized void tlsCertificates(String listener, java.util.Map<String, java.time.Instant> notAfter) {
        registry.find(MetricNames.TLS_CERTIFICATE_EXPIRY).tag(MetricNames.TAG_LISTENER, listener).meters()
                .forEach(registry::remove);
        notAfter.forEach((certificate, at) -> {
            long seconds = at.getEpochSecond();
            Gauge.builder(MetricNames.TLS_CERTIFICATE_EXPIRY, () -> seconds)
                    .description("Expiry (notAfter) of a served certificate, in Unix seconds")
                    .baseUnit("seconds")
                    .tags(MetricNames.TAG_LISTENER, listener, MetricNames.TAG_CERTIFICATE, certificate)
                    .strongReference(true).register(registry);
        });
    }

    /** Certificate files of a listener changed: {@code result} is {@code success} or {@code failure}. */
    public void tlsReload(String listener, String result) {
        Counter.builder(MetricNames.TLS_CERTIFICATE_RELOADS)
                .description("Certificate reloads after file changes, by outcome")
                .tags(MetricNames.TAG_LISTENER, listener, MetricNames.TAG_RESULT, result)
                .register(registry).increment();
    }

    /** A circuit breaker changed state. Rare, so the registry look-up may allocate. */
    public void breakerTransition(String name, String to) {
        Counter.builder(MetricNames.BREAKER_TRANSITIONS)
                .description("Circuit breaker state changes, by the state entered")
                .tags(MetricNames.TAG_BREAKER, name, MetricNames.TAG_TO, to)
                .register(registry).increment();
    }

    /**
     * Registers (replacing any earlier registration with the same cluster+endpoint) the per-endpoint gauges. The
     * gauges hold {@code stats} strongly: it lives as long as the registration, not as long as the caller keeps it.
     */
    public void endpoint(String cluster, String endpoint, EndpointStats stats) {
        Tags tags = Tags.of(MetricNames.TAG_CLUSTER, cluster, MetricNames.TAG_ENDPOINT, endpoint);
        // Micrometer hands back the first meter registered under an id, so the old gauges must go first;
        // compute() keeps removal and registration together against a concurrent call for the same endpoint.
        endpoints.compute(new EndpointKey(cluster, endpoint), (k, old) -> {
            if (old != null) {
                old.forEach(registry::remove);
            }
            return List.of(
                    gauge(MetricNames.UPSTREAM_ENDPOINT_HEALTHY, tags, stats, s -> s.healthy() ? 1 : 0,
                            "1 when the endpoint takes traffic, 0 when it is unhealthy"),
                    gauge(MetricNames.UPSTREAM_ACTIVE_REQUESTS, tags, stats, EndpointStats::activeRequests,
                            "Exchanges in flight to the endpoint"),
                    gauge(MetricNames.UPSTREAM_CONNECTIONS, tags.and(MetricNames.TAG_STATE, MetricNames.OPEN),
                            stats, EndpointStats::openConnections, "Connections to the endpoint, by state"),
                    gauge(MetricNames.UPSTREAM_CONNECTIONS, tags.and(MetricNames.TAG_STATE, MetricNames.IDLE),
                            stats, EndpointStats::idleConnections, "Connections to the endpoint, by state"));
        });
    }

    private Gauge gauge(String name, Tags tags, EndpointStats stats, ToDoubleFunction<EndpointStats> value,
            String description) {
        return Gauge.builder(name, stats, value).description(description).tags(tags).strongReference(true)
                .register(registry);
    }

    /** Removes the per-endpoint gauges, e.g. when a reload or DNS refresh drops the endpoint. */
    public void removeEndpoint(String cluster, String endpoint) {
        List<Meter> old = endpoints.remove(new EndpointKey(cluster, endpoint));
        if (old != null) {
            old.forEach(registry::remove);
        }
    }

    /** Unhooks the GC notification listeners and closes the registry. */
    @Override
    public void close() {
        gcMetrics.close();
        registry.close();
    }
}
