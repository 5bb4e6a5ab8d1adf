package io.portcullis.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.portcullis.upstream.UpstreamListener.UpstreamFailure;

/**
 * Last handler of an upstream connection's pipeline (after {@code HttpClientCodec}): hands decoded response parts
 * to the bound exchange, swallows interim 1xx responses, turns decoder failures and closes into
 * {@link UpstreamFailure}s, and closes pooled connections that sit idle too long.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
    private final EndpointPool pool;
    private UpstreamListener listener;
    private boolean skippingInterim;
    private UpstreamConnection connection;

    UpstreamHandler(EndpointPool pool) {
        this.pool = pool;
    }

    void connection(UpstreamConnection connection) {
        this.connection = connection;
    }

    UpstreamConnection connection() {
        return connection;
    }

    void listener(UpstreamListener listener) {
        this.listener = listener;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        UpstreamListener l = listener;
        if (l == null) {
            // Bytes from a backend nobody asked: the connection's framing can no longer be trusted.
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        if (((HttpObject) msg).decoderResult().isFailure()) {
            Throwable cause = ((HttpObject) msg).decoderResult().cause();
            ReferenceCountUtil.release(msg);
            fail(ctx, UpstreamFailure.PROTOCOL_ERROR, cause);
            return;
        }
        if (msg instanceof HttpResponse response) {
            int code = response.status().code();
            if (code >= 100 && code < 200) {
                // Interim responses (100 Continue, 103 Early Hints) are not relayed; 101 would need an upgrade
                // the gateway never asked for.
                if (code == 101) {
                    ReferenceCountUtil.release(msg);
                    fail(ctx, UpstreamFailure.PROTOCOL_ERROR, new IllegalStateException("unexpected 101"));
                    return;
                }
                skippingInterim = true;
            } else {
                skippingInterim = false;
                l.onResponseHead(response);
            }
        }
        if (msg instanceof HttpContent content) {
            if (skippingInterim) {
                content.release();
                if (content instanceof LastHttpContent) {
                    skippingInterim = false;
                }
                return;
            }
            l.onResponseContent(content);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        if (l != null) {
            l.onResponseReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        if (l != null) {
            l.onUpstreamWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        pool.remove(connection);
        if (listener != null) {
            fail(ctx, UpstreamFailure.RESET, null);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && listener == null) {
            ctx.close(); // idle in the pool past the idle timeout
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (listener != null) {
            fail(ctx, UpstreamFailure.RESET, cause);
        } else {
            ctx.close();
        }
    }

    private void fail(ChannelHandlerContext ctx, UpstreamFailure failure, Throwable cause) {
        UpstreamListener l = listener;
        listener = null;
        connection.abort();
        if (l != null) {
            l.onUpstreamFailure(failure, cause);
        }
    }
}
