package io.portcullis.upstream;

import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.portcullis.config.ClusterConfig;
import io.portcullis.config.ResilienceConfig;
import io.portcullis.resilience.Breakers;
import io.portcullis.resilience.CircuitBreaker;
import io.portcullis.resilience.OutlierDetector;
import io.portcullis.resilience.OutlierState;
import io.portcullis.resilience.RetryBudget;
import io.portcullis.upstream.health.HealthChecker;
import io.portcullis.upstream.lb.Policy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster at run time: its resolved endpoints, their health, and the {@link Selection} of endpoints that may take
 * new requests. Built off the event loops when a snapshot is built; afterwards every change (health transitions,
 * DNS refreshes) happens on one control event loop, which recomputes the selection and publishes it through a
 * volatile field. Request-serving loops only read it, through their own {@link ClusterPicker}.
 */
public final class Cluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Cluster.class);

    /** Told about health transitions and endpoint-set changes (metrics); called on the control loop. */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        default void onHealthChanged(Cluster cluster, UpstreamEndpoint endpoint, boolean healthy) {
        }

        default void onEndpointsChanged(Cluster cluster, List<UpstreamEndpoint> removed) {
        }

        default void onOutlierChanged(Cluster cluster, UpstreamEndpoint endpoint, boolean ejected, String reason) {
        }

        default void onBreakerChanged(Cluster cluster, CircuitBreaker.State to) {
        }
    }

    /** Name resolution, injectable so tests can change what a name resolves to. */
    @FunctionalInterface
    interface Resolver {
        Resolver SYSTEM = InetAddress::getAllByName;

        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final ClusterConfig config;
    private final UpstreamTransport transport;
    private final Resolver resolver;
    /** Requests waiting for a pooled connection, over all endpoints and loops ({@code limits.max_pending}). */
    private final AtomicInteger pending;
    private final Policy policy;
    private volatile UpstreamEndpoint[] endpoints;
    private volatile Selection selection;
    private EventLoop control;
    private Class<? extends SocketChannel> channelClass;
    private volatile Listener listener = Listener.NONE;
    private HealthChecker checker;
    private ScheduledFuture<?> dnsTask;
    private volatile boolean closed;
    /** Requests in flight over all event loops: the bulkhead ({@code limits.max_requests}) and the retry budget's base. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private final RetryBudget retryBudget;
    /** Null without {@code outlier_detection}. */
    private final OutlierDetector outliers;
    /** The endpoints' outlier states, in endpoint order; replaced with {@link #endpoints}. */
    private volatile List<OutlierState> outlierStates;
    private ScheduledFuture<?> sweepTask;
    /** Null without {@code circuit_breaker}. */
    private final CircuitBreaker breaker;

    private Cluster(ClusterConfig config, Resolver resolver, AtomicInteger pending, UpstreamTransport transport,
            UpstreamEndpoint[] endpoints) {
        this.config = config;
        this.transport = transport;
        this.pending = pending;
        this.resolver = resolver;
        this.policy = Policy.valueOf(config.lbPolicy().name());
        this.endpoints = endpoints;
        this.selection = Selection.of(endpoints, config.panicThreshold() / 100);
        ResilienceConfig.Retry retry = config.resilience().retry();
        this.retryBudget = new RetryBudget(retry.budgetPercent() / 100, retry.budgetMinRetries());
        ResilienceConfig.Outlier o = config.resilience().outlier();
        this.outliers = o == null ? null : new OutlierDetector(new OutlierDetector.Config(o.consecutive5xx(),
                o.consecutiveGatewayFailures(), o.interval(), o.baseEjectionTime(), o.maxEjectionTime(),
                o.maxEjectionPercent(), o.successRateStdevFactor(), o.successRateMinimumHosts(),
                o.successRateRequestVolume()), System::nanoTime, this::onEjection);
        index(endpoints);
        this.breaker = config.resilience().breaker() == null ? null
                : Breakers.create("cluster " + config.name(), config.resilience().breaker(),
                        (b, from, to, reason) -> listener.onBreakerChanged(this, to));
    }

    /** The cluster's circuit breaker, or null. */
    public CircuitBreaker breaker() {
        return breaker;
    }

    /** Numbers the endpoints and lists their outlier states, before the array is published. */
    private void index(UpstreamEndpoint[] all) {
        List<OutlierState> states = new ArrayList<>(all.length);
        for (int i = 0; i < all.length; i++) {
            all[i].index(i);
            states.add(all[i].outlier());
        }
        outlierStates = List.copyOf(states);
    }

    /**
     * The outcome of a try on {@code endpoint}, for outlier ejection. Called on event loops; lock-free. A result
     * for an endpoint no longer in the cluster is dropped.
     */
    public void outlierResult(UpstreamEndpoint endpoint, OutlierDetector.Result result) {
        if (outliers == null) {
            return;
        }
        List<OutlierState> states = outlierStates;
        int i = endpoint.index();
        if (i < states.size() && states.get(i) == endpoint.outlier()) {
            outliers.onResult(states, i, result);
        }
    }

    /** From the detector, on an event loop (consecutive failures) or the control loop (sweeps). */
    private void onEjection(int index, boolean ejected, String reason) {
        UpstreamEndpoint[] current = endpoints;
        if (index >= current.length) {
            return;
        }
        UpstreamEndpoint e = current[index];
        if (ejected) {
            LOG.warn("cluster {}: endpoint {} ejected as an outlier ({}; ejection {})", config.name(), e, reason,
                    e.outlier().ejections());
        } else {
            LOG.info("cluster {}: endpoint {} back from outlier ejection", config.name(), e);
        }
        EventLoop loop = control;
        if (loop != null) {
            loop.execute(() -> {
                selection = Selection.of(endpoints, config.panicThreshold() / 100);
                listener.onOutlierChanged(this, e, ejected, reason);
            });
        }
    }

    /**
     * Admits a request under {@code limits.max_requests}; true obliges the caller to {@link #release()} once. One
     * atomic increment per request, shared by the loops: the price of a cluster-wide bound.
     */
    public boolean admit() {
        if (inFlight.incrementAndGet() > config.resilience().maxRequests()) {
            inFlight.decrementAndGet();
            return false;
        }
        return true;
    }

    public void release() {
        inFlight.decrementAndGet();
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** Retries in flight may be at most a share of {@link #inFlight()}; shared by all routes to this cluster. */
    public RetryBudget retryBudget() {
        return retryBudget;
    }

    /**
     * Resolves every endpoint name now (blocking); an unresolvable name fails the snapshot build, naming it. Health
     * known for the same addresses in {@code previous} (the cluster of the same name in the snapshot being
     * replaced) carries over, so a reload neither forgets a dead endpoint nor distrusts a live one.
     */
    public static Cluster resolve(ClusterConfig config, Cluster previous) throws UnknownHostException {
        return resolve(config, previous, Resolver.SYSTEM);
    }

    static Cluster resolve(ClusterConfig config, Cluster previous, Resolver resolver) throws UnknownHostException {
        UpstreamTransport transport = UpstreamTransport.of(config);
        try {
            return resolve(config, previous, resolver, new AtomicInteger(), transport);
        } catch (UnknownHostException | RuntimeException e) {
            transport.close();
            throw e;
        }
    }

    private static Cluster resolve(ClusterConfig config, Cluster previous, Resolver resolver, AtomicInteger pending,
            UpstreamTransport transport) throws UnknownHostException {
        Map<Long, UpstreamEndpoint> known = new HashMap<>();
        if (previous != null) {
            for (UpstreamEndpoint e : previous.endpoints) {
                known.put(e.key(), e);
            }
        }
        List<UpstreamEndpoint> out = new ArrayList<>();
        for (ClusterConfig.Endpoint e : config.endpoints()) {
            InetAddress[] ips;
            try {
                ips = resolver.resolve(e.host());
            } catch (UnknownHostException ex) {
                throw new UnknownHostException("cluster " + config.name() + ": cannot resolve endpoint " + e);
            }
            for (InetAddress ip : ips) {
                UpstreamEndpoint fresh = new UpstreamEndpoint(config, e, new InetSocketAddress(ip, e.port()),
                        pending, transport);
                UpstreamEndpoint old = known.get(fresh.key());
                if (old != null && config.healthCheck().enabled() && old.knownHealth() != null) {
                    fresh.healthy(old.healthy());
                }
                out.add(fresh);
            }
        }
        return new Cluster(config, resolver, pending, transport, out.toArray(new UpstreamEndpoint[0]));
    }

    public static Cluster resolve(ClusterConfig config) throws UnknownHostException {
        return resolve(config, null, Resolver.SYSTEM);
    }

    /**
     * Starts health checks and DNS refreshes on {@code control}, a loop that serves no requests. Without health
     * checks every endpoint stays healthy; with {@code dns_refresh: 0}, or only IP literals, names are not re-resolved.
     */
    public void start(EventLoop control, Class<? extends SocketChannel> channelClass, Listener listener) {
        this.control = control;
        this.channelClass = channelClass;
        this.listener = listener;
        control.execute(() -> {
            if (closed) {
                return;
            }
            startChecker();
            if (outliers != null) {
                long every = outliers.config().interval().toMillis();
                sweepTask = control.scheduleWithFixedDelay(() -> outliers.sweep(outlierStates), every, every,
                        TimeUnit.MILLISECONDS);
            }
            long refresh = config.dnsRefresh().toMillis();
            if (refresh > 0 && hasNames()) {
                dnsTask = control.scheduleWithFixedDelay(this::refreshDns, refresh, refresh, TimeUnit.MILLISECONDS);
            }
        });
    }

    private boolean hasNames() {
        for (UpstreamEndpoint e : endpoints) {
            if (!e.address().getAddress().getHostAddress().equals(e.configured().host())) {
                return true;
            }
        }
        return false;
    }

    private void startChecker() {
        assert control.inEventLoop();
        if (!config.healthCheck().enabled()) {
            return;
        }
        UpstreamEndpoint[] current = endpoints;
        List<HealthChecker.Target> targets = new ArrayList<>(current.length);
        for (UpstreamEndpoint e : current) {
            targets.add(new HealthChecker.Target(e.toString(), e.address(), e.knownHealth()));
        }
        HealthChecker c = new HealthChecker(config.name(), config.healthCheck(), targets, control, channelClass,
                new SplittableRandom(), (i, healthy, reason) -> onHealthChanged(current, i, healthy));
        checker = c;
        c.start();
    }

    private void onHealthChanged(UpstreamEndpoint[] checked, int index, boolean healthy) {
        assert control.inEventLoop();
        if (closed || checked != endpoints) {
            return; // a checker about to be replaced
        }
        UpstreamEndpoint e = checked[index];
        e.healthy(healthy);
        Selection next = Selection.of(checked, config.panicThreshold() / 100);
        Selection before = selection;
        selection = next;
        if (next.panic && !before.panic) {
            LOG.warn("cluster {}: panic mode, under {}% of priority level {} healthy; balancing over all of it",
                    config.name(), config.panicThreshold(), next.level);
        } else if (!next.panic && before.panic) {
            LOG.info("cluster {}: panic mode over", config.name());
        }
        listener.onHealthChanged(this, e, healthy);
    }

    /** Re-resolves endpoint names off the loop (a virtual thread), then applies any change on the control loop. */
    private void refreshDns() {
        Thread.ofVirtual().name("dns-" + config.name()).start(() -> {
            Cluster fresh;
            try {
                fresh = resolve(config, this, resolver, pending, transport);
            } catch (UnknownHostException e) {
                LOG.warn("cluster {}: DNS refresh failed, keeping {} endpoints: {}", config.name(),
                        endpoints.length, e.getMessage());
                return;
            }
            control.execute(() -> applyDns(fresh.endpoints));
        });
    }

    private void applyDns(UpstreamEndpoint[] resolved) {
        if (closed) {
            return;
        }
        UpstreamEndpoint[] current = endpoints;
        Map<Long, UpstreamEndpoint> byKey = new HashMap<>();
        for (UpstreamEndpoint e : current) {
            byKey.put(e.key(), e);
        }
        UpstreamEndpoint[] next = new UpstreamEndpoint[resolved.length];
        boolean changed = resolved.length != current.length;
        for (int i = 0; i < resolved.length; i++) {
            UpstreamEndpoint same = byKey.remove(resolved[i].key());
            next[i] = same != null ? same : resolved[i];
            changed |= same == null;
        }
        if (!changed) {
            return;
        }
        LOG.info("cluster {}: DNS refresh changed endpoints to {}", config.name(), List.of(next));
        index(next);
        endpoints = next;
        selection = Selection.of(next, config.panicThreshold() / 100);
        if (checker != null) {
            checker.close();
            startChecker();
        }
        listener.onEndpointsChanged(this, List.copyOf(byKey.values()));
    }

    public String name() {
        return config.name();
    }

    public ClusterConfig config() {
        return config;
    }

    public List<UpstreamEndpoint> endpoints() {
        return List.of(endpoints);
    }

    Selection selection() {
        return selection;
    }

    Policy policy() {
        return policy;
    }

    /** Whether the cluster hashes requests (ring hash, Maglev), so routes to it compute a hash key. */
    public boolean hashing() {
        return policy == Policy.RING_HASH || policy == Policy.MAGLEV;
    }

    /** Whether any endpoint passes its health checks (all do without checks). */
    public boolean hasHealthyEndpoint() {
        for (UpstreamEndpoint e : endpoints) {
            if (e.healthy()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The cluster to send a request to: this one, or its failover cluster (looked up in {@code clusters}, the
     * request's snapshot) while this one has no healthy endpoint. One volatile read when no failover is configured.
     */
    public Cluster orFailover(Map<String, Cluster> clusters) {
        String failover = config.resilience().failover();
        if (failover == null || selection.anyHealthy) {
            return this;
        }
        Cluster other = clusters.get(failover);
        return other == null ? this : other;
    }

    /** Whether new requests are spread over unhealthy endpoints too, for lack of enough healthy ones. */
    public boolean panic() {
        return selection.panic;
    }

    /** Stops health checks and DNS refreshes; requests in flight keep their endpoints. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            transport.close();
        }
        closed = true;
        if (control != null) {
            control.execute(() -> {
                if (checker != null) {
                    checker.close();
                }
                if (dnsTask != null) {
                    dnsTask.cancel(false);
                }
                if (sweepTask != null) {
                    sweepTask.cancel(false);
                }
            });
        }
    }
}
