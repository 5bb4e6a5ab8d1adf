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

    /** Closes idle connections of every pool (shutdown). */
    public void closeIdle() {
        assert loop.inEventLoop();
        for (EndpointPool pool : pools.values()) {
            pool.closeIdle();
        }
    }
}
