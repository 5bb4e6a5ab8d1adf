package io.portcullis.server;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import java.net.SocketAddress;

/**
 * The client's side of a {@link DownstreamHandler}: where its requests come from and its responses go. An HTTP/1.1
 * connection ({@link Connection}) or one HTTP/2 stream ({@link Http2ServerStream}); either way everything runs on
 * {@link #eventLoop()}, and messages are HTTP/1.1-shaped ({@code HttpResponse}, {@code HttpContent}).
 */
interface DownstreamIo {
    EventLoop eventLoop();

    ByteBufAllocator alloc();

    SocketAddress remoteAddress();

    /** Writes without flushing; the message is released once written (or when the write fails). */
    void write(Object msg);

    void flush();

    ChannelFuture writeAndFlush(Object msg);

    /** Whether the client takes more response data now; {@link DownstreamHandler#onWritabilityChanged} says when. */
    boolean isWritable();

    /** Stops or resumes delivering request data; a paused client is not read, and its flow-control window shrinks. */
    void setReading(boolean on);

    /** Ends the client side now: the HTTP/1.1 connection, or the stream (reset unless it has already ended). */
    void close();

    /** {@link #close()} once {@code written} completes. */
    void closeAfter(ChannelFuture written);

    /** An HTTP/1.1 connection: the last handler's context. */
    final class Connection implements DownstreamIo {
        private final ChannelHandlerContext ctx;

        Connection(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public EventLoop eventLoop() {
            return ctx.channel().eventLoop();
        }

        @Override
        public ByteBufAllocator alloc() {
            return ctx.alloc();
        }

        @Override
        public SocketAddress remoteAddress() {
            return ctx.channel().remoteAddress();
        }

        @Override
        public void write(Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void flush() {
            ctx.flush();
        }

        @Override
        public ChannelFuture writeAndFlush(Object msg) {
            return ctx.writeAndFlush(msg);
        }

        @Override
        public boolean isWritable() {
            return ctx.channel().isWritable();
        }

        @Override
        public void setReading(boolean on) {
            ctx.channel().config().setAutoRead(on);
        }

        @Override
        public void close() {
            ctx.channel().close();
        }

        @Override
        public void closeAfter(ChannelFuture written) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }
}
