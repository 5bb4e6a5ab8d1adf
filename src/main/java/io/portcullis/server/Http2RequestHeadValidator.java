package io.portcullis.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * In each HTTP/2 stream's pipeline, before the HTTP/1 conversion; a request with a body also gets an idle timer
 * here. A request head without :method, :scheme or
 * :path (RFC 9113 §8.3.1; CONNECT: :method and :authority only) is malformed, and the stream is reset with
 * PROTOCOL_ERROR. Netty's conversion would otherwise throw (leaking the body buffer it allocated first) or, with no
 * :method, take the head for trailers and leave the stream unanswered.
 */
final class Http2RequestHeadValidator extends ChannelInboundHandlerAdapter {
    private final long idleMillis;
    private boolean headSeen;

    /** @param idleMillis the listener's idle timeout, applied to a request body that stops arriving */
    Http2RequestHeadValidator(long idleMillis) {
        this.idleMillis = idleMillis;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!headSeen && msg instanceof Http2HeadersFrame frame) {
            headSeen = true;
            if (malformed(frame.headers())) {
                ReferenceCountUtil.release(msg);
                ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR));
                ctx.close();
                return;
            }
            if (!frame.isEndStream()) {
                // A body follows: as on an HTTP/1.1 connection, one that stops arriving is cut off after the idle
                // timeout, even while the connection stays busy. Body-less requests (most) need no timer.
                ctx.pipeline().addBefore(ctx.name(), "idle", new IdleStateHandler(idleMillis, 0, 0,
                        TimeUnit.MILLISECONDS));
            }
        }
        ctx.fireChannelRead(msg);
    }

    static boolean malformed(Http2Headers h) {
        CharSequence method = h.method();
        if (method == null) {
            return true;
        }
        if (HttpMethod.CONNECT.asciiName().contentEquals(method)) {
            return h.authority() == null || h.scheme() != null || h.path() != null;
        }
        return h.scheme() == null || h.path() == null || h.path().length() == 0;
    }
}
