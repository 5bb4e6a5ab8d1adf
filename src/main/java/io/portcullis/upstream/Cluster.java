package io.portcullis.upstream;

import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.portcullis.config.ClusterConfig;
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
    }

    /** Name resolution, injectable so tests can change what a name resolves to. */
    @FunctionalInterface
    interface Resolver {
        Resolver SYSTEM = InetAddress::getAllByName;

        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final ClusterConfig config;
    private final Resolver resolver;
    private final Policy policy;
    private volatile UpstreamEndpoint[] endpoints;
    private volatile Selection selection;
    private EventLoop control;
    private Class<? extends SocketChannel> channelClass;
    private Listener listener = Listener.NONE;
    private HealthChecker checker;
    private ScheduledFuture<?> dnsTask;
    private volatile boolean closed;

    private Cluster(ClusterConfig config, Resolver resolver, UpstreamEndpoint[] endpoints) {
        this.config = config;
        this.resolver = resolver;
        this.policy = Policy.valueOf(config.lbPolicy().name());
        this.endpoints = endpoints;
        this.selection = Selection.of(endpoints, config.panicThreshold() / 100);
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
                UpstreamEndpoint fresh = new UpstreamEndpoint(config, e, new InetSocketAddress(ip, e.port()));
                UpstreamEndpoint old = known.get(fresh.key());
                if (old != null && config.healthCheck().enabled() && old.knownHealth() != null) {
                    fresh.healthy(old.healthy());
                }
                out.add(fresh);
            }
        }
        return new Cluster(config, resolver, out.toArray(new UpstreamEndpoint[0]));
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
                fresh = resolve(config, this, resolver);
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

    /** Whether new requests are spread over unhealthy endpoints too, for lack of enough healthy ones. */
    public boolean panic() {
        return selection.panic;
    }

    /** Stops health checks and DNS refreshes; requests in flight keep their endpoints. Idempotent. */
    @Override
    public void close() {
        closed = true;
        if (control != null) {
            control.execute(() -> {
                if (checker != null) {
                    checker.close();
                }
                if (dnsTask != null) {
                    dnsTask.cancel(false);
                }
            });
        }
    }
}
