package io.portcullis.server;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.VoidChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2FrameStreamEvent;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.Http2WindowUpdateFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.function.Supplier;

/**
 * The streams of a downstream HTTP/2 connection, right after its frame codec: each request stream the client opens
 * becomes an {@link Http2ServerStream} with its own {@link DownstreamHandler}, and the codec's frames and stream
 * events go to it. In place of Netty's {@code Http2MultiplexHandler}, which gives every stream a channel of its own
 * (a pipeline, its registration and events, a promise and listener per write): that set-up cost about a fifth of
 * the event loop's time under {@code bench/tls.sh}'s HTTP/2 case, for one request each.
 *
 * <p>Frames that are not a stream's (SETTINGS, PING, GOAWAY) go on down the pipeline. Writes of the streams go
 * through the codec with a promise that swallows failures: a stream the client reset refuses its frames, which must
 * not fail the connection; the codec closes the stream, and its handler hears of it.
 */
final class Http2Streams extends ChannelInboundHandlerAdapter {
    private final Supplier<DownstreamHandler> handlers;
    private final long idleNanos;
    private final IntObjectHashMap<Http2ServerStream> streams = new IntObjectHashMap<>();
    /** Streams that were handed frames during the current read, to hear of its end. */
    private final ArrayList<Http2ServerStream> readThisPass = new ArrayList<>();
    /** Streams whose handlers still have to hear that they closed. */
    private final ArrayDeque<Http2ServerStream> closing = new ArrayDeque<>();
    private final Runnable notifyClosed = this::notifyClosed;
    private boolean closeScheduled;
    private ChannelHandlerContext ctx;
    private Http2Connection connection;
    private ChannelPromise quietPromise;
    private ChannelFuture succeeded;

    /**
     * @param handlers makes the handler of each new stream
     * @param idleNanos how long a request body may stop arriving
     */
    Http2Streams(Supplier<DownstreamHandler> handlers, long idleNanos) {
        this.handlers = handlers;
        this.idleNanos = idleNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.connection = ctx.pipeline().get(Http2FrameCodec.class).connection();
        this.quietPromise = new VoidChannelPromise(ctx.channel(), false);
        this.succeeded = ctx.newSucceededFuture();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Http2StreamFrame frame)) {
            ctx.fireChannelRead(msg); // SETTINGS, PING, GOAWAY: the connection's
            return;
        }
        if (msg instanceof Http2WindowUpdateFrame || msg instanceof Http2ResetFrame) {
            return; // the codec applied the window; a reset closes the stream, and its handler hears of it then
        }
        int id = frame.stream().id();
        Http2ServerStream stream = streams.get(id);
        if (stream == null) {
            if (!(msg instanceof Http2HeadersFrame)) {
                ReferenceCountUtil.release(msg); // a stream that was never opened here, or is over
                return;
            }
            stream = new Http2ServerStream(this, frame.stream(), handlers.get(), idleNanos);
            streams.put(id, stream);
        }
        if (!stream.readThisPass) {
            stream.readThisPass = true;
            readThisPass.add(stream);
        }
        stream.onFrame(frame);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ArrayList<Http2ServerStream> read = readThisPass;
        for (int i = 0; i < read.size(); i++) {
            Http2ServerStream stream = read.get(i);
            stream.readThisPass = false;
            stream.onReadComplete();
        }
        read.clear();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!(evt instanceof Http2FrameStreamEvent event)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        Http2FrameStream frameStream = event.stream();
        if (event.type() == Http2FrameStreamEvent.Type.Writability) {
            Http2ServerStream stream = streams.get(frameStream.id());
            if (stream != null) {
                stream.onWritabilityChanged();
            }
        } else if (frameStream.state() == Http2Stream.State.CLOSED) {
            Http2ServerStream stream = streams.remove(frameStream.id());
            if (stream != null) {
                stream.onCodecClosed();
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof Http2FrameStreamException e)) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        // A stream error the codec leaves to the stream's owner: reset with its code.
        Http2ServerStream stream = streams.get(e.stream().id());
        if (stream != null) {
            stream.onStreamError(e.error(), e.getCause());
        } else if (e.stream().state() != Http2Stream.State.CLOSED) {
            reset(e.stream(), e.error());
            ctx.flush();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // The codec closes every stream when the connection goes; this catches any it did not report.
        if (!streams.isEmpty()) {
            for (Http2ServerStream stream : new ArrayList<>(streams.values())) {
                stream.onCodecClosed();
            }
            streams.clear();
        }
        ctx.fireChannelInactive();
    }

    // ---- for the streams

    EventLoop eventLoop() {
        return ctx.channel().eventLoop();
    }

    ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    SocketAddress remoteAddress() {
        return ctx.channel().remoteAddress();
    }

    void flush() {
        ctx.flush();
    }

    ChannelFuture succeeded() {
        return succeeded;
    }

    /** Writes one frame; with {@code track}, returns a future of its write, otherwise null. */
    ChannelFuture write(Http2StreamFrame frame, boolean track) {
        if (!track) {
            ctx.write(frame, quietPromise);
            return null;
        }
        ChannelPromise promise = ctx.newPromise();
        ctx.write(frame, promise);
        return promise;
    }

    void reset(Http2FrameStream stream, Http2Error error) {
        ctx.write(new DefaultHttp2ResetFrame(error).stream(stream), quietPromise);
    }

    /** The stream and the connection may take more DATA now (flow-control windows and the socket's buffer). */
    boolean isWritable(Http2FrameStream frameStream) {
        Http2Stream stream = connection.stream(frameStream.id());
        return stream == null || connection.remote().flowController().isWritable(stream);
    }

    /** The handler took {@code bytes} of the stream's DATA: they go back to the client's windows. */
    void consumed(Http2FrameStream frameStream, int bytes) {
        if (bytes == 0) {
            return;
        }
        Http2Stream stream = connection.stream(frameStream.id());
        if (stream == null) {
            return; // closed: its unconsumed bytes went back to the connection's window then
        }
        try {
            connection.local().flowController().consumeBytes(stream, bytes);
        } catch (Http2Exception e) {
            ctx.fireExceptionCaught(e);
        }
    }

    /** Tells {@code stream}'s handler in a later task that it closed; one task for all that close meanwhile. */
    void closeLater(Http2ServerStream stream) {
        closing.add(stream);
        if (!closeScheduled) {
            closeScheduled = true;
            ctx.channel().eventLoop().execute(notifyClosed);
        }
    }

    private void notifyClosed() {
        closeScheduled = false;
        Http2ServerStream stream;
        while ((stream = closing.poll()) != null) {
            stream.notifyClosed();
        }
    }
}
