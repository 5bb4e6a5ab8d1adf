package io.portcullis.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.Future;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * On a plain listener with h2c enabled: reads just enough of the first bytes to tell the HTTP/2 connection preface
 * ({@code PRI * HTTP/2.0...}) from an HTTP/1.x request line, installs that protocol's pipeline, and steps aside,
 * handing on what it read. HTTP/1.x requests are recognised at their second byte at the latest (no HTTP/1 method
 * starts with "PR"), so they are not delayed.
 */
final class PrefaceDetector extends ByteToMessageDecoder {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final DownstreamInitializer initializer;
    private final long timeoutMillis;
    private Future<?> timeout;

    PrefaceDetector(DownstreamInitializer initializer, long timeoutMillis) {
        this.initializer = initializer;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // A client that connects and sends nothing is closed after the header read timeout, as on HTTP/1.1.
        timeout = ctx.executor().schedule(() -> {
            ctx.close();
        }, timeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), PREFACE.length);
        for (int i = 0; i < n; i++) {
            if (in.getByte(in.readerIndex() + i) != PREFACE[i]) {
                settle(ctx, false);
                return;
            }
        }
        if (n == PREFACE.length) {
            settle(ctx, true);
        }
    }

    private void settle(ChannelHandlerContext ctx, boolean http2) {
        timeout.cancel(false);
        if (http2) {
            initializer.http2(ctx.pipeline(), ConnectionInfo.of(initializer.listener(), null, true,
                    ctx.channel().remoteAddress()));
        } else {
            initializer.http1(ctx.pipeline(), ConnectionInfo.PLAIN_HTTP1);
        }
        ctx.pipeline().remove(this); // the bytes read so far go to the new pipeline, preface included
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }
}
