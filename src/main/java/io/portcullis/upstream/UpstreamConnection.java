package io.portcullis.upstream;

import io.netty.channel.Channel;

/**
 * One HTTP/1.1 connection to a backend, lent by an {@link EndpointPool} to one exchange at a time. The exchange
 * writes the request through it and gives it back with {@link #release(boolean)} exactly once.
 */
public final class UpstreamConnection {
    private final Channel channel;
    private final EndpointPool pool;
    private final UpstreamHandler handler;
    private boolean leased;

    UpstreamConnection(Channel channel, EndpointPool pool, UpstreamHandler handler) {
        this.channel = channel;
        this.pool = pool;
        this.handler = handler;
    }

    public Channel channel() {
        return channel;
    }

    public UpstreamEndpoint endpoint() {
        return pool.endpoint();
    }

    /** Attaches the exchange that receives this connection's response events. */
    public void bind(UpstreamListener listener) {
        assert channel.eventLoop().inEventLoop();
        leased = true;
        handler.listener(listener);
    }

    public void write(Object msg) {
        channel.write(msg, channel.voidPromise());
    }

    public void writeAndFlush(Object msg) {
        channel.writeAndFlush(msg, channel.voidPromise());
    }

    public void flush() {
        channel.flush();
    }

    public boolean isWritable() {
        return channel.isWritable();
    }

    /** Pauses or resumes reading the response, following the downstream socket's writability. */
    public void setAutoRead(boolean autoRead) {
        channel.config().setAutoRead(autoRead);
    }

    /**
     * Ends the lease. A reusable connection (request fully written, response fully read, keep-alive) returns to the
     * idle pool; any other is closed.
     */
    public void release(boolean reusable) {
        assert channel.eventLoop().inEventLoop();
        if (!leased) {
            throw new IllegalStateException("connection to " + pool.endpoint() + " released twice");
        }
        leased = false;
        handler.listener(null);
        if (reusable && channel.isActive()) {
            channel.config().setAutoRead(true);
            pool.offer(this);
        } else {
            channel.close();
        }
    }

    /** Closes without returning to the pool; safe to call after release. */
    public void abort() {
        leased = false;
        handler.listener(null);
        channel.close();
    }

}
