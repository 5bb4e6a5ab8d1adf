package io.portcullis.upstream;

import io.portcullis.config.ClusterConfig;
import io.portcullis.resilience.OutlierState;
import io.portcullis.upstream.lb.Hashing;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * One resolved backend address of a cluster: what a load balancer picks and a pool connects to. Lives as long as
 * its address stays in the cluster (a DNS refresh that returns the same address keeps the instance), and carries
 * what must survive picker rebuilds: health, requests in flight and connection counts.
 *
 * <p>Identity matters: each event loop keeps one {@link EndpointPool} per instance.
 */
public final class UpstreamEndpoint {
    /** Ints per counter array: the counter sits in the middle, a cache line clear of neighbouring objects. */
    private static final int PADDED = 32;
    private static final int SLOT = 16;

    private final ClusterConfig cluster;
    private final UpstreamTransport transport;
    private final ClusterConfig.Endpoint configured;
    private final InetSocketAddress address;
    private final String display;
    private final long key;
    private final AtomicIntegerArray active = new AtomicIntegerArray(PADDED);
    private final LongAdder openConnections = new LongAdder();
    private final LongAdder idleConnections = new LongAdder();
    /** Requests waiting for a pooled connection, shared by every endpoint of the cluster ({@code max_pending}). */
    private final AtomicInteger clusterPending;
    private volatile boolean healthy;
    /** Whether {@link #healthy} comes from a health check (here or carried over), not the optimistic default. */
    private volatile boolean healthKnown;
    private final OutlierState outlier = new OutlierState();
    /** Position in the cluster's endpoint array, set on the control loop before the array is published. */
    private int index;

    public UpstreamEndpoint(ClusterConfig cluster, ClusterConfig.Endpoint configured, InetSocketAddress address) {
        this(cluster, configured, address, new AtomicInteger(), UpstreamTransport.PLAIN);
    }

    UpstreamEndpoint(ClusterConfig cluster, ClusterConfig.Endpoint configured, InetSocketAddress address,
            AtomicInteger clusterPending, UpstreamTransport transport) {
        this.clusterPending = clusterPending;
        this.transport = Objects.requireNonNull(transport, "transport");
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.configured = Objects.requireNonNull(configured, "configured");
        this.address = Objects.requireNonNull(address, "address");
        String ip = address.getAddress().getHostAddress();
        this.display = ip.equals(configured.host()) ? configured.address() : configured.address() + "/" + ip;
        this.key = Hashing.hash(display);
        this.healthy = true;
    }

    public ClusterConfig cluster() {
        return cluster;
    }

    /** How connections to this endpoint are made (protocol, TLS). */
    public UpstreamTransport transport() {
        return transport;
    }

    public ClusterConfig.Endpoint configured() {
        return configured;
    }

    public InetSocketAddress address() {
        return address;
    }

    public int weight() {
        return configured.weight();
    }

    public int priority() {
        return configured.priority();
    }

    /** Stable identity for consistent hashing: the same address keeps its place on the ring across rebuilds. */
    long key() {
        return key;
    }

    public boolean healthy() {
        return healthy;
    }

    void healthy(boolean value) {
        healthy = value;
        healthKnown = true;
    }

    /** Healthy and not ejected as an outlier: may take new requests. */
    public boolean available() {
        return healthy && !outlier.ejected();
    }

    public boolean ejected() {
        return outlier.ejected();
    }

    OutlierState outlier() {
        return outlier;
    }

    int index() {
        return index;
    }

    void index(int i) {
        index = i;
    }

    /** The checked health, or null while no check has judged this address yet. */
    Boolean knownHealth() {
        return healthKnown ? healthy : null;
    }

    /** An exchange sends a request to this endpoint; {@link #endRequest()} follows exactly once. */
    public void startRequest() {
        active.getAndIncrement(SLOT);
    }

    public void endRequest() {
        int now = active.decrementAndGet(SLOT);
        assert now >= 0 : "endRequest without startRequest on " + display;
    }

    public int activeRequests() {
        return active.get(SLOT);
    }

    /** Reserves a place among the cluster's requests waiting for a connection; false when none is left. */
    boolean reservePending() {
        if (clusterPending.incrementAndGet() > cluster.resilience().maxPending()) {
            clusterPending.decrementAndGet();
            return false;
        }
        return true;
    }

    void releasePending() {
        clusterPending.decrementAndGet();
    }

    /** Connections open or opening to this endpoint, over all event loops. */
    public long openConnections() {
        return openConnections.sum();
    }

    /** Of those, the ones idle in a pool. */
    public long idleConnections() {
        return idleConnections.sum();
    }

    LongAdder openCounter() {
        return openConnections;
    }

    LongAdder idleCounter() {
        return idleConnections;
    }

    /** {@code host:port} as configured, followed by {@code /ip} when the host is a name. */
    @Override
    public String toString() {
        return display;
    }
}
