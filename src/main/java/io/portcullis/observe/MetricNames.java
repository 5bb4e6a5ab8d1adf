package io.portcullis.observe;

import java.time.Duration;
import java.util.List;

/**
 * Every metric name, tag key and fixed tag value Portcullis publishes, in one place (STYLE habit 15), so dashboards
 * and alerts have a single file to read.
 *
 * <p>Names are Micrometer's dotted form; the Prometheus registry renders them in snake case, appends the base unit
 * ({@code _seconds}, {@code _bytes}) and {@code _total} for counters. Each constant's comment shows the rendered
 * name. The duration histograms are named as Micrometer timers would be (the unit, seconds, is implied), so their
 * dotted names stop at {@code .duration}.
 */
public final class MetricNames {
    private MetricNames() {
    }

    // --- Downstream exchanges, tagged route and cluster (RouteMetrics) ---

    /** {@code portcullis_requests_total{route,cluster,status_class}}: finished exchanges by response class. */
    public static final String REQUESTS = "portcullis.requests";
    /** {@code portcullis_request_duration_seconds{route,cluster}}: request head received to last byte written. */
    public static final String REQUEST_DURATION = "portcullis.request.duration";
    /** {@code portcullis_upstream_duration_seconds{route,cluster}}: request sent upstream to response head. */
    public static final String UPSTREAM_DURATION = "portcullis.upstream.duration";
    /** {@code portcullis_request_bytes_total{route,cluster}}: request body bytes received from clients. */
    public static final String REQUEST_BYTES = "portcullis.request.bytes";
    /** {@code portcullis_response_bytes_total{route,cluster}}: response body bytes sent to clients. */
    public static final String RESPONSE_BYTES = "portcullis.response.bytes";

    // --- Upstream failures and health, tagged cluster (ClusterMetrics) ---

    /** {@code portcullis_upstream_connect_errors_total{cluster}}: connects refused or timed out. */
    public static final String UPSTREAM_CONNECT_ERRORS = "portcullis.upstream.connect.errors";
    /** {@code portcullis_upstream_timeouts_total{cluster}}: no response head within the route timeout. */
    public static final String UPSTREAM_TIMEOUTS = "portcullis.upstream.timeouts";
    /** {@code portcullis_upstream_resets_total{cluster}}: upstream connections reset or closed mid-exchange. */
    public static final String UPSTREAM_RESETS = "portcullis.upstream.resets";
    /** {@code portcullis_upstream_pool_overflows_total{cluster}}: requests refused because a pool was full. */
    public static final String UPSTREAM_POOL_OVERFLOWS = "portcullis.upstream.pool.overflows";
    /** {@code portcullis_upstream_retries_total{cluster}}: tries started again after a failed try. */
    public static final String UPSTREAM_RETRIES = "portcullis.upstream.retries";
    /** {@code portcullis_upstream_overflows_total{cluster}}: requests refused at once by the cluster's bulkhead. */
    public static final String UPSTREAM_OVERFLOWS = "portcullis.upstream.overflows";
    /** {@code portcullis_circuit_breaker_state{breaker}}: 0 closed, 1 open, 2 half-open. */
    public static final String BREAKER_STATE = "portcullis.circuit.breaker.state";
    /** {@code portcullis_circuit_breaker_transitions_total{breaker,to}}: state changes of a circuit breaker. */
    public static final String BREAKER_TRANSITIONS = "portcullis.circuit.breaker.transitions";
    public static final String TAG_BREAKER = "breaker";
    /** {@code portcullis_upstream_ejections_total{cluster,reason}}: endpoints ejected as outliers. */
    public static final String UPSTREAM_EJECTIONS = "portcullis.upstream.ejections";
    /** {@code portcullis_upstream_health_transitions_total{cluster,endpoint,to}}: health check verdict changes. */
    public static final String UPSTREAM_HEALTH_TRANSITIONS = "portcullis.upstream.health.transitions";

    // --- Security filters (GatewayMetrics.security*) ---

    /** {@code portcullis_security_rejections_total{route,filter,reason}}: requests a security filter refused. */
    public static final String SECURITY_REJECTIONS = "portcullis.security.rejections";
    /**
     * {@code portcullis_security_detections_total{route,filter,reason}}: findings of a filter in detect-only mode
     * (the request went on).
     */
    public static final String SECURITY_DETECTIONS = "portcullis.security.detections";
    public static final String TAG_FILTER = "filter";
    /** {@code portcullis_jwks_fetches_total{provider,result}}: JWKS downloads, {@code success} or {@code failure}. */
    public static final String JWKS_FETCHES = "portcullis.jwks.fetches";
    public static final String TAG_PROVIDER = "provider";
    /**
     * {@code portcullis_security_file_reloads_total{file,result}}: IP-list and API-key files re-read after a
     * change, {@code success} or {@code failure} (the previous content stays).
     */
    public static final String SECURITY_FILE_RELOADS = "portcullis.security.file.reloads";
    public static final String TAG_FILE = "file";

    /**
     * {@code portcullis_connections_refused_total{listener,reason}}: connections closed at accept by a listener's
     * {@code connections} limits ({@code too_many_connections}, {@code too_many_from_client},
     * {@code too_fast_from_client}).
     */
    public static final String CONNECTIONS_REFUSED = "portcullis.connections.refused";

    /** {@code portcullis_anomaly_actions_total{rule,action}}: actions the anomaly detector raised. */
    public static final String ANOMALY_ACTIONS = "portcullis.anomaly.actions";
    public static final String TAG_RULE = "rule";
    public static final String TAG_ACTION = "action";

    // --- TLS (GatewayMetrics.tls*) ---

    /** {@code portcullis_tls_handshake_failures_total{listener}}: downstream TLS handshakes that failed. */
    public static final String TLS_HANDSHAKE_FAILURES = "portcullis.tls.handshake.failures";
    /**
     * {@code portcullis_tls_certificate_expiry_seconds{listener,certificate}}: the notAfter time of each served
     * certificate as Unix seconds (alert on {@code ... - time() < 14 * 86400}).
     */
    public static final String TLS_CERTIFICATE_EXPIRY = "portcullis.tls.certificate.expiry";
    /** {@code portcullis_tls_certificate_reloads_total{listener,result}}: certificate file changes, by outcome. */
    public static final String TLS_CERTIFICATE_RELOADS = "portcullis.tls.certificate.reloads";
    public static final String TAG_LISTENER = "listener";
    public static final String TAG_CERTIFICATE = "certificate";
    public static final String TAG_RESULT = "result";

    // --- Per-endpoint state, sampled at scrape time (GatewayMetrics.endpoint) ---

    /** {@code portcullis_upstream_endpoint_healthy{cluster,endpoint}}: 1 when the endpoint takes traffic, else 0. */
    public static final String UPSTREAM_ENDPOINT_HEALTHY = "portcullis.upstream.endpoint.healthy";
    /** {@code portcullis_upstream_active_requests{cluster,endpoint}}: exchanges in flight, across event loops. */
    public static final String UPSTREAM_ACTIVE_REQUESTS = "portcullis.upstream.active.requests";
    /** {@code portcullis_upstream_connections{cluster,endpoint,state}}: pooled connections, open or idle. */
    public static final String UPSTREAM_CONNECTIONS = "portcullis.upstream.connections";

    // --- JVM and process: Micrometer's binders name these (jvm_*, process_*), except for two lint fixes ---

    /** {@code process_cpu_seconds_total}: CPU time of the gateway process, replacing Micrometer's nanoseconds. */
    public static final String PROCESS_CPU = "process.cpu";
    /** {@code system_cpus}: processors available to the JVM, renamed from Micrometer's {@code system.cpu.count}. */
    public static final String SYSTEM_CPUS = "system.cpus";
    /** Micrometer's {@code process_cpu_time_ns_total}, dropped: promtool rejects the abbreviated unit. */
    public static final String MICROMETER_PROCESS_CPU_TIME = "process.cpu.time";
    /** Micrometer's {@code system_cpu_count}, renamed: promtool reads a {@code _count} suffix as a histogram's. */
    public static final String MICROMETER_SYSTEM_CPU_COUNT = "system.cpu.count";

    // --- Netty's pooled allocator: names owned by Micrometer's NettyAllocatorMetrics, listed for their HELP text ---

    /** {@code netty_allocator_memory_used_bytes{allocator_type,memory_type}}. */
    public static final String NETTY_MEMORY_USED = "netty.allocator.memory.used";
    /** {@code netty_allocator_memory_pinned_bytes{allocator_type,memory_type}}. */
    public static final String NETTY_MEMORY_PINNED = "netty.allocator.memory.pinned";
    /** {@code netty_allocator_pooled_arenas{allocator_type,memory_type}}. */
    public static final String NETTY_POOLED_ARENAS = "netty.allocator.pooled.arenas";
    /** {@code netty_allocator_pooled_cache_size{allocator_type,cache_type}}: buffers per thread-local cache. */
    public static final String NETTY_POOLED_CACHE_SIZE = "netty.allocator.pooled.cache.size";
    /** {@code netty_allocator_pooled_threadlocal_caches{allocator_type}}. */
    public static final String NETTY_POOLED_THREADLOCAL_CACHES = "netty.allocator.pooled.threadlocal.caches";
    /** {@code netty_allocator_pooled_chunk_size_bytes{allocator_type}}. */
    public static final String NETTY_POOLED_CHUNK_SIZE = "netty.allocator.pooled.chunk.size";
    /** Prefix shared by the allocator meters above. */
    public static final String NETTY_ALLOCATOR_PREFIX = "netty.allocator.";
    /** The binder's identity-hash tag: dropped, since it changes on every restart and only one allocator is bound. */
    public static final String NETTY_ALLOCATOR_ID_TAG = "id";

    // --- Tag keys ---

    public static final String TAG_ROUTE = "route";
    public static final String TAG_CLUSTER = "cluster";
    public static final String TAG_STATUS_CLASS = "status_class";
    public static final String TAG_ENDPOINT = "endpoint";
    /** Health transition direction: {@link #HEALTHY} or {@link #UNHEALTHY}. */
    public static final String TAG_REASON = "reason";
    public static final String TAG_TO = "to";
    /** Connection state: {@link #OPEN} or {@link #IDLE}. */
    public static final String TAG_STATE = "state";

    // --- Fixed tag values ---

    /**
     * Route and cluster of answers given before a route was chosen (404 no route, 4xx refusals), and status class
     * of exchanges that ended without a response. Config names are free text, so a route literally named
     * {@code none} shares its series with unrouted answers.
     */
    public static final String NONE = "none";
    /** Status classes by {@code status / 100}; index 0 is {@link #NONE}. */
    public static final List<String> STATUS_CLASSES = List.of(NONE, "1xx", "2xx", "3xx", "4xx", "5xx");
    public static final String HEALTHY = "healthy";
    public static final String UNHEALTHY = "unhealthy";
    public static final String OPEN = "open";
    public static final String IDLE = "idle";

    /**
     * Upper bounds of both duration histograms: a fixed, small set rather than a percentile histogram's 70-odd
     * buckets per series, which cost scrape size and record time.
     */
    public static final List<Duration> DURATION_BUCKETS = List.of(
            Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30));
}
