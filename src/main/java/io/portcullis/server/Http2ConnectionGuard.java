package io.portcullis.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.timeout.IdleStateEvent;
import io.portcullis.ratelimit.overload.RequestBudget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection-level care of a downstream HTTP/2 connection, in front of the frame codec: widens the connection's
 * receive window to match the streams' (the protocol starts it at 64 KiB, which would throttle uploads), closes the
 * socket outright when the client sent nothing for the idle timeout (a client reading a response still sends
 * WINDOW_UPDATEs; one that stalled its window does not) unless every stream only awaits its backend, and starts the
 * graceful GOAWAY when the gateway drains.
 */
final class Http2ConnectionGuard extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(Http2ConnectionGuard.class);
    private static final int DEFAULT_WINDOW = 65_535;

    private final int connectionWindow;
    private ChannelHandlerContext ctx;

    Http2ConnectionGuard(int connectionWindow) {
        this.connectionWindow = connectionWindow;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Once the codec has sent its preface (it is added after this handler): widen the connection window. */
    void widenWindow() {
        Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
        if (codec == null || connectionWindow <= DEFAULT_WINDOW) {
            return;
        }
        Http2Connection connection = codec.connection();
        try {
            connection.local().flowController().incrementWindowSize(connection.connectionStream(),
                    connectionWindow - DEFAULT_WINDOW);
        } catch (Http2Exception e) {
            LOG.debug("cannot widen the HTTP/2 connection window: {}", e.toString());
        }
    }

    /**
     * {@code max_requests} for this connection: the stream that spends the budget is served, and a GOAWAY naming it
     * goes out at once, so the client sends later requests on a new connection (streams it opened meanwhile are
     * ignored by the codec, as GOAWAY tells the client); the connection closes when the streams in flight end.
     */
    void limitRequests(RequestBudget budget) {
        Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
        if (codec == null || budget == null) {
            return;
        }
        ChannelHandlerContext codecCtx = ctx.pipeline().context(codec);
        codec.connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamAdded(Http2Stream stream) {
                if (codec.connection().local().isValidStreamId(stream.id()) // only streams the client opens count
                        || budget.onRequest() != RequestBudget.Verdict.SERVE_AND_CLOSE) {
                    return;
                }
                codec.goAway(codecCtx, stream.id(), Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER,
                        codecCtx.newPromise());
                ctx.channel().eventLoop().execute(() -> ctx.channel().close()); // after this read: waits for streams
            }
        });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            if (awaitingUpstreamOnly()) {
                return; // each stream has its request and awaits its backend: route timeouts govern, as on HTTP/1.1
            }
            // Past the codec on purpose: a graceful close would wait for streams that are stalled.
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * Streams are open, and every one has its whole request and nothing queued for the client: the connection is
     * quiet because backends are slow, not because the client stalled (a zero window leaves data queued).
     */
    private boolean awaitingUpstreamOnly() {
        Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
        if (codec == null || codec.connection().numActiveStreams() == 0) {
            return false;
        }
        Http2Connection connection = codec.connection();
        Http2RemoteFlowController flow = connection.remote().flowController();
        try {
            return connection.forEachActiveStream(stream -> stream.state() == Http2Stream.State.HALF_CLOSED_REMOTE
                    && !flow.hasFlowControlled(stream)) == null;
        } catch (Http2Exception e) {
            return false;
        }
    }

    /** Shutdown began: GOAWAY now, streams in flight may finish within the codec's graceful timeout. */
    void drain() {
        ctx.channel().close();
    }

    /** Last in the connection's pipeline: connection errors the codec passed on end the connection, quietly. */
    static final class Tail extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof Error) { // out of direct memory and the like: the gateway's problem, not the client's
                LOG.error("HTTP/2 connection from {} failed", ctx.channel().remoteAddress(), cause);
            } else {
                LOG.debug("HTTP/2 connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            }
            if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
                return; // the codec's own error: it writes GOAWAY with the error's code, then closes
            }
            ctx.close();
        }
    }
}
