package io.portcullis.upstream;

import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * All upstream connection pools of one event loop: a request accepted on this loop borrows connections only from
 * here, so it is served on one thread from accept to response. Confined to its loop; no locks.
 */
public final class UpstreamPools {
    private final EventLoop loop;
    private final Class<? extends SocketChannel> channelClass;
    private final Map<UpstreamEndpoint, EndpointPool> pools = new IdentityHashMap<>();
    private final Map<Cluster, ClusterPicker> pickers = new IdentityHashMap<>();
    private long seed = System.nanoTime();

    public UpstreamPools(EventLoop loop, Class<? extends SocketChannel> channelClass) {
        this.loop = loop;
        this.channelClass = channelClass;
    }

    public EventLoop loop() {
        return loop;
    }

    /** The pool for an endpoint of the current snapshot, created on first use. */
    public EndpointPool pool(UpstreamEndpoint endpoint) {
        assert loop.inEventLoop();
        EndpointPool pool = pools.get(endpoint);
        if (pool == null) {
            pool = new EndpointPool(endpoint, loop, channelClass);
            pools.put(endpoint, pool);
        }
        return pool;
    }

    /**
     * This loop's choice of endpoint for a request to {@code cluster}, or null when the cluster has no endpoint
     * that may take requests.
     *
     * @param hash the request's hash key for hashing clusters ({@link #randomHash} when the request has none)
     */
    public UpstreamEndpoint pick(Cluster cluster, long hash) {
        return picker(cluster).pick(hash, null);
    }

    /** A retry's pick: as {@link #pick(Cluster, long)}, but not {@code avoid} while the cluster offers another. */
    public UpstreamEndpoint pick(Cluster cluster, long hash, UpstreamEndpoint avoid) {
        return picker(cluster).pick(hash, avoid);
    }

    /** A hash that spreads requests lacking their route's hash key at random. */
    public long randomHash(Cluster cluster) {
        return picker(cluster).randomHash();
    }

    private ClusterPicker picker(Cluster cluster) {
        assert loop.inEventLoop();
        ClusterPicker picker = pickers.get(cluster);
        if (picker == null) {
            picker = new ClusterPicker(cluster, cluster.policy(), seed++);
            pickers.put(cluster, picker);
        }
        return picker;
    }

    /**
     * Forgets the pickers and pools of clusters and endpoints no longer in use (after a reload or DNS change):
     * their idle connections close; connections still lent out close when returned.
     */
    public void retire(Cluster cluster, Iterable<UpstreamEndpoint> endpoints) {
        assert loop.inEventLoop();
        if (cluster != null) {
            pickers.remove(cluster);
        }
        for (UpstreamEndpoint e : endpoints) {
            EndpointPool pool = pools.remove(e);
            if (pool != null) {
                pool.retire();
            }
        }
    }

    /** Closes idle connections of every pool (shutdown). */
    public void closeIdle() {
        assert loop.inEventLoop();
        for (EndpointPool pool : pools.values()) {
            pool.closeIdle();
        }
    }
}
