package io.portcullis.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.portcullis.config.GatewayConfig;
import io.portcullis.config.ListenerConfig;
import io.portcullis.ratelimit.anomaly.AnomalyDetector;
import io.portcullis.ratelimit.overload.PriorityAdmission;
import io.portcullis.ratelimit.overload.ConnectionLimits;
import io.portcullis.admin.AdminServer;
import io.portcullis.observe.AccessLog;
import io.portcullis.observe.EndpointStats;
import io.portcullis.observe.GatewayMetrics;
import io.portcullis.resilience.CircuitBreaker;
import io.portcullis.upstream.Cluster;
import io.portcullis.upstream.UpstreamEndpoint;
import io.portcullis.upstream.UpstreamPools;
import io.portcullis.tls.TlsProvider;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway (facade of the server package): binds the listeners, owns the event loops and their upstream
 * pools, publishes config snapshots, and drains on shutdown.
 *
 * <p>Threading: one group of event loops, sized by {@code server.event_loops} (default: one per core), both accepts
 * and serves; each accepted connection stays on its loop, and so do the upstream connections it borrows.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private final MultiThreadIoEventLoopGroup group;
    /** Health checks, DNS refreshes and the admin listener: work that must never delay a proxied request. */
    private final MultiThreadIoEventLoopGroup control;
    private final GatewayContext context;
    private final Map<String, Channel> listeners;
    private final AccessLog accessLog;
    private final GatewayMetrics metrics;
    private final AdminServer admin;
    private final Transport transport;
    private final List<ListenerTls> tlsListeners;
    private volatile boolean closed;

    private Gateway(MultiThreadIoEventLoopGroup group, MultiThreadIoEventLoopGroup control, GatewayContext context,
            Map<String, Channel> listeners, AccessLog accessLog, GatewayMetrics metrics, AdminServer admin,
            Transport transport, List<ListenerTls> tlsListeners) {
        this.tlsListeners = tlsListeners;
        this.group = group;
        this.control = control;
        this.metrics = metrics;
        this.admin = admin;
        this.context = context;
        this.listeners = listeners;
        this.accessLog = accessLog;
        this.transport = transport;
    }

    /** Starts a gateway for a validated config; every listener is bound when this returns. */
    public static Gateway start(GatewayConfig config) throws IOException, InterruptedException {
        GatewayMetrics metrics = GatewayMetrics.create();
        Transport transport = Transport.select();
        MultiThreadIoEventLoopGroup control = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        Snapshot snapshot;
        GatewayAnomalies anomalies = new GatewayAnomalies(metrics, control.next());
        AnomalyDetector anomaly = anomalies.prepare(config.anomalyDetection());
        GatewayAdmission admissions = new GatewayAdmission(control.next());
        PriorityAdmission admission = admissions.prepare(config.overload());
        try {
            snapshot = Snapshot.build(config, null, metrics, control.next(), anomaly, admission);
        } catch (IOException | RuntimeException e) {
            control.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        int loops = config.server().eventLoops() > 0 ? config.server().eventLoops()
                : Runtime.getRuntime().availableProcessors();
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(loops, transport.ioHandlerFactory());
        AccessLog accessLog = config.accessLog().enabled() ? AccessLog.open(config.accessLog().path())
                : AccessLog.disabled();
        Map<EventLoop, UpstreamPools> pools = new HashMap<>();
        for (EventExecutor executor : group) {
            EventLoop loop = (EventLoop) executor;
            pools.put(loop, new UpstreamPools(loop, transport.socketChannel()));
        }
        ChannelGroup downstream = new DefaultChannelGroup("downstream", GlobalEventExecutor.INSTANCE);
        GatewayContext context = new GatewayContext(snapshot, pools, accessLog, metrics, downstream);
        anomalies.install(config.anomalyDetection(), anomaly);
        context.anomalies(anomalies);
        admissions.install(config.overload(), admission);
        context.admissions(admissions);
        startClusters(snapshot, control, transport, context);
        Map<String, Channel> bound = new LinkedHashMap<>();
        List<ListenerTls> tlsListeners = new ArrayList<>();
        AdminServer admin = null;
        TlsProvider tlsProvider = TlsProvider.selected();
        long drainMillis = config.server().drainTimeout().toMillis();
        try {
            for (ListenerConfig listener : config.listeners()) {
                ListenerTls tls = null;
                if (listener.tls() != null) {
                    tls = ListenerTls.start(listener, tlsProvider, control.next(), metrics);
                    tlsListeners.add(tls);
                }
                Channel ch = new ServerBootstrap()
                        .group(group)
                        .channel(transport.serverChannel())
                        .option(ChannelOption.SO_BACKLOG, 4096)
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        // The pooled allocator, not 4.2's adaptive default: 1.5-2x the 64 KiB throughput in bench/.
                        .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                        .childHandler(new DownstreamInitializer(context, listener, tls, drainMillis,
                                connectionLimits(listener, control)))
                        .bind(listener.host(), listener.port())
                        .sync()
                        .channel();
                bound.put(listener.name(), ch);
                LOG.info("listener {} on {} ({} transport, {} event loops, {})", listener.name(), ch.localAddress(),
                        transport.name(), loops, describe(listener, tlsProvider));
            }
            if (config.admin().enabled()) {
                admin = AdminServer.start(config.admin(), new GatewayAdmin(context, metrics), control,
                        transport.serverChannel()); // it logs its address
            }
        } catch (Exception e) {
            bound.values().forEach(Channel::close);
            tlsListeners.forEach(ListenerTls::close);
            if (admin != null) {
                admin.close();
            }
            snapshot.clusters().values().forEach(Cluster::close);
            snapshot.security().close();
            snapshot.rateLimits().close();
            control.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            accessLog.close();
            metrics.close();
            throw new IOException("cannot bind listeners: " + e.getMessage(), e);
        }
        if (!tlsListeners.isEmpty() && tlsProvider.name().equals("jdk")) {
            Throwable why = TlsProvider.openSslUnavailabilityCause();
            LOG.warn("TLS uses the JDK provider, not OpenSSL{}", why == null ? " (forced)" : ": " + why);
        }
        return new Gateway(group, control, context, bound, accessLog, metrics, admin, transport, tlsListeners);
    }

    /** The listener's connection limits, or null; idle client entries are swept on the control loop. */
    private static ConnectionLimits connectionLimits(ListenerConfig listener, MultiThreadIoEventLoopGroup control) {
        ListenerConfig.Connections c = listener.connections();
        if (c == null) {
            return null;
        }
        ConnectionLimits.Builder b = ConnectionLimits.builder();
        if (c.maxConnections() > 0) {
            b.maxConnections(c.maxConnections());
        }
        if (c.maxPerClient() > 0) {
            b.maxConnectionsPerClient(c.maxPerClient());
        }
        if (c.newPerSecond() > 0) {
            b.newConnectionRate(c.newPerSecond(), c.newBurst());
        }
        if (c.maxRequestsPerConnection() > 0) {
            b.maxRequestsPerConnection(c.maxRequestsPerConnection());
        }
        ConnectionLimits limits = b.build();
        control.next().scheduleWithFixedDelay(limits::evictIdle, 5, 5, TimeUnit.SECONDS);
        return limits;
    }

    /** What a listener speaks, for its start-up line: the TLS provider is named so operators see which is in use. */
    private static String describe(ListenerConfig listener, TlsProvider provider) {
        if (listener.redirectHttps() != null) {
            return "redirects to HTTPS port " + listener.redirectHttps().port();
        }
        if (listener.tls() == null) {
            return listener.http2().h2c() ? "HTTP/1.1 and h2c" : "HTTP/1.1";
        }
        ListenerConfig.Tls tls = listener.tls();
        return "TLS by " + provider.name() + " " + tls.protocols() + (listener.http2().enabled() ? ", h2 and HTTP/1.1"
                : ", HTTP/1.1") + ", client certificates " + tls.clientAuth().name().toLowerCase(Locale.ROOT);
    }


    private static void startClusters(Snapshot snapshot, MultiThreadIoEventLoopGroup control, Transport transport,
            GatewayContext context) {
        GatewayMetrics metrics = context.metrics();
        Cluster.Listener listener = new Cluster.Listener() {
            @Override
            public void onHealthChanged(Cluster cluster, UpstreamEndpoint endpoint, boolean healthy) {
                metrics.cluster(cluster.name()).healthTransition(endpoint.toString(), healthy);
            }

            @Override
            public void onBreakerChanged(Cluster cluster, CircuitBreaker.State to) {
                metrics.breakerTransition("cluster " + cluster.name(), to.name().toLowerCase(java.util.Locale.ROOT));
            }

            @Override
            public void onOutlierChanged(Cluster cluster, UpstreamEndpoint endpoint, boolean ejected,
                    String reason) {
                if (ejected) {
                    metrics.cluster(cluster.name()).ejection(reason);
                }
            }

            @Override
            public void onEndpointsChanged(Cluster cluster, List<UpstreamEndpoint> removed) {
                removed.forEach(e -> metrics.removeEndpoint(cluster.name(), e.toString()));
                registerGauges(metrics, cluster);
                retire(context, null, removed);
            }
        };
        for (Cluster cluster : snapshot.clusters().values()) {
            registerGauges(metrics, cluster);
            CircuitBreaker breaker = cluster.breaker();
            if (breaker != null) {
                metrics.breaker(breaker.name(), () -> breaker.state().ordinal());
            }
            cluster.start(control.next(), transport.socketChannel(), listener);
        }
    }

    private static void registerGauges(GatewayMetrics metrics, Cluster cluster) {
        for (UpstreamEndpoint e : cluster.endpoints()) {
            metrics.endpoint(cluster.name(), e.toString(), new EndpointStats() {
                @Override
                public boolean healthy() {
                    return e.healthy();
                }

                @Override
                public int activeRequests() {
                    return e.activeRequests();
                }

                @Override
                public long openConnections() {
                    return e.openConnections();
                }

                @Override
                public long idleConnections() {
                    return e.idleConnections();
                }
            });
        }
    }

    /** Each loop forgets the picker of {@code cluster} and the pools of {@code endpoints}. */
    private static void retire(GatewayContext context, Cluster cluster, List<UpstreamEndpoint> endpoints) {
        for (UpstreamPools pools : context.allPools()) {
            pools.loop().execute(() -> pools.retire(cluster, endpoints));
        }
    }

    /** The bound port of a listener (useful when the config asked for port 0). */
    public int port(String listenerName) {
        return address(listenerName).getPort();
    }

    public InetSocketAddress address(String listenerName) {
        Channel ch = listeners.get(listenerName);
        if (ch == null) {
            throw new IllegalArgumentException("no listener named " + listenerName);
        }
        return (InetSocketAddress) ch.localAddress();
    }

    /** The transport in use: {@code epoll} or {@code nio}. */
    public String transport() {
        return transport.name();
    }

    /** Swaps in a new route/cluster snapshot; requests in flight finish on the one they started with. */
    public synchronized void reload(GatewayConfig config) throws IOException {
        Snapshot old = context.snapshot();
        AnomalyDetector anomaly = context.anomalies().prepare(config.anomalyDetection());
        PriorityAdmission admission = context.admissions().prepare(config.overload());
        Snapshot next = Snapshot.build(config, old, metrics, control.next(), anomaly, admission);
        for (Cluster cluster : old.clusters().values()) {
            Cluster replacement = next.clusters().get(cluster.name());
            for (UpstreamEndpoint e : cluster.endpoints()) {
                boolean kept = replacement != null && replacement.endpoints().stream()
                        .anyMatch(n -> n.toString().equals(e.toString()));
                if (!kept) {
                    metrics.removeEndpoint(cluster.name(), e.toString());
                }
            }
        }
        startClusters(next, control, transport, context);
        context.publish(next);
        context.anomalies().install(config.anomalyDetection(), anomaly);
        context.admissions().install(config.overload(), admission);
        old.security().closeUnused(next.security());
        old.rateLimits().closeUnused(next.rateLimits());
        for (Cluster cluster : old.clusters().values()) {
            cluster.close();
            retire(context, cluster, cluster.endpoints());
        }
    }

    /** The clusters of the current snapshot (admin, tests). */
    public Map<String, Cluster> clusters() {
        return context.snapshot().clusters();
    }

    /**
     * Graceful shutdown: stop accepting, let in-flight exchanges finish (their responses say
     * {@code Connection: close}), close idle connections, and give up after {@code timeout}.
     *
     * @return true when every connection finished within the timeout
     */
    public boolean drain(Duration timeout) throws InterruptedException {
        for (Channel ch : listeners.values()) {
            ch.close().sync();
        }
        context.startDraining();
        for (Channel ch : context.downstreamChannels()) {
            DownstreamHandler h = ch.pipeline().get(DownstreamHandler.class);
            if (h != null) {
                ch.eventLoop().execute(h::closeIfIdle);
                continue;
            }
            Http2ConnectionGuard h2 = ch.pipeline().get(Http2ConnectionGuard.class);
            if (h2 != null) {
                ch.eventLoop().execute(h2::drain);
            } else {
                ch.close(); // still negotiating its protocol: nothing in flight
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!context.downstreamChannels().isEmpty() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        boolean clean = context.downstreamChannels().isEmpty();
        LOG.info("drain {} ({} connections left)", clean ? "complete" : "timed out",
                context.downstreamChannels().size());
        return clean;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Channel ch : listeners.values()) {
            ch.close();
        }
        context.downstreamChannels().close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        for (UpstreamPools pools : context.allPools()) {
            pools.loop().execute(pools::closeIdle);
        }
        if (admin != null) {
            admin.close();
        }
        context.snapshot().clusters().values().forEach(Cluster::close);
        context.snapshot().security().close();
        context.snapshot().rateLimits().close();
        control.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        control.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        tlsListeners.forEach(ListenerTls::close);
        accessLog.close();
        metrics.close();
    }

    /** The admin listener's address, when it is enabled. */
    public InetSocketAddress adminAddress() {
        if (admin == null) {
            throw new IllegalStateException("the admin listener is not enabled");
        }
        return admin.address();
    }

    /** This gateway's metrics (tests, embedding). */
    public GatewayMetrics metrics() {
        return metrics;
    }
}
