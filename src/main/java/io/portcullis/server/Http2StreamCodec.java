package io.portcullis.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.PromiseCombiner;
import java.util.concurrent.TimeUnit;

/**
 * The only handler of an HTTP/2 stream's pipeline in front of its {@link DownstreamHandler}: turns the stream's
 * frames into HTTP/1.1-shaped request parts and the response parts back into frames, as Netty's
 * {@code Http2StreamFrameToHttpObjectCodec} does, and checks the request head on the way.
 *
 * <p>One handler instead of a validator and Netty's codec, because the stream pipeline is built and torn down for
 * every request: a context fewer to add, walk and remove, no codec output lists, and a request whose HEADERS end the
 * stream (most of them) becomes a head and {@link LastHttpContent#EMPTY_LAST_CONTENT} instead of a full request
 * holding an empty pooled buffer.
 *
 * <p>A request head without :method, :scheme or :path (RFC 9113 §8.3.1; CONNECT: :method and :authority only) is
 * malformed and the stream is reset with PROTOCOL_ERROR: Netty's conversion would otherwise fail on it or, with no
 * :method, take the head for trailers and leave the stream unanswered. No second validation of fields: the frame
 * codec's HPACK decoder refused bad names and values (CR, LF, NUL, uppercase) already, as Http2AbuseTest shows. A
 * request with a body also gets an idle timer here.
 */
final class Http2StreamCodec extends ChannelDuplexHandler {
    private final long idleMillis;
    private boolean headSeen;

    /** @param idleMillis the listener's idle timeout, applied to a request body that stops arriving */
    Http2StreamCodec(long idleMillis) {
        this.idleMillis = idleMillis;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2HeadersFrame frame) {
            if (headSeen) {
                onTrailers(ctx, frame);
            } else {
                headSeen = true;
                onHead(ctx, frame);
            }
        } else if (msg instanceof Http2DataFrame data) {
            // The frame's content goes on in the HTTP part: the reference passes, the frame is not released.
            ctx.fireChannelRead(data.isEndStream() ? new DefaultLastHttpContent(data.content(), false)
                    : new DefaultHttpContent(data.content()));
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void onHead(ChannelHandlerContext ctx, Http2HeadersFrame frame) {
        Http2Headers headers = frame.headers();
        if (malformed(headers)) {
            ReferenceCountUtil.release(frame);
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR));
            ctx.close();
            return;
        }
        HttpRequest request;
        try {
            request = HttpConversionUtil.toHttpRequest(frame.stream().id(), headers, false);
        } catch (Http2Exception e) {
            ctx.fireExceptionCaught(new DecoderException(e));
            return;
        }
        if (frame.isEndStream()) {
            ctx.fireChannelRead(request);
            ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
            return;
        }
        if (!HttpUtil.isContentLengthSet(request)) {
            request.headers().add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        // A body follows: as on an HTTP/1.1 connection, one that stops arriving is cut off after the idle timeout,
        // even while the connection stays busy. Body-less requests (most) need no timer.
        ctx.pipeline().addBefore(ctx.name(), "idle", new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS));
        ctx.fireChannelRead(request);
    }

    /** HEADERS after the head: trailers when they end the stream; anything else is handed on as it came. */
    private void onTrailers(ChannelHandlerContext ctx, Http2HeadersFrame frame) {
        if (!frame.isEndStream()) {
            ctx.fireChannelRead(frame);
            return;
        }
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, false);
        try {
            HttpConversionUtil.addHttp2ToHttpHeaders(frame.stream().id(), frame.headers(), last.trailingHeaders(),
                    HttpVersion.HTTP_1_1, true, true);
        } catch (Http2Exception e) {
            ctx.fireExceptionCaught(new DecoderException(e));
            return;
        }
        ctx.fireChannelRead(last);
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

    /**
     * A response head becomes HEADERS (ending the stream when a full response has nothing more), a body part DATA,
     * the last part DATA ending the stream or, with trailers, a last HEADERS. The same frames as Netty's codec.
     */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof HttpResponse) && !(msg instanceof HttpContent)) {
            ctx.write(msg, promise);
            return;
        }
        Object first = null;
        Object second = null;
        Object third = null;
        try {
            if (msg instanceof HttpResponse response) {
                Http2Headers headers = HttpConversionUtil.toHttp2Headers(response, false);
                if (response.status().code() == HttpResponseStatus.CONTINUE.code()) {
                    first = new DefaultHttp2HeadersFrame(headers, false); // interim: the stream goes on
                } else {
                    boolean endStream = msg instanceof FullHttpMessage full && !full.content().isReadable()
                            && full.trailingHeaders().isEmpty();
                    first = new DefaultHttp2HeadersFrame(headers, endStream);
                    if (!endStream && msg instanceof LastHttpContent last) {
                        Object[] tail = lastFrames(last, msg instanceof FullHttpMessage);
                        second = tail[0];
                        third = tail[1];
                    }
                }
            } else if (msg instanceof LastHttpContent last) {
                Object[] tail = lastFrames(last, false);
                first = tail[0];
                second = tail[1];
            } else {
                first = new DefaultHttp2DataFrame(((HttpContent) msg).content().retain(), false);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
        writeFrames(ctx, promise, first, second, third);
    }

    /** The frames of a message's end: DATA (unless empty and not needed), then trailers if any; nulls for none. */
    private static Object[] lastFrames(LastHttpContent last, boolean fullMessage) {
        boolean noTrailers = last.trailingHeaders().isEmpty();
        Object data = null;
        if (last.content().isReadable() || (!fullMessage && noTrailers)) {
            data = new DefaultHttp2DataFrame(last.content().retain(), noTrailers);
        }
        Object trailers = noTrailers ? null
                : new DefaultHttp2HeadersFrame(HttpConversionUtil.toHttp2Headers(last.trailingHeaders(), false), true);
        return data == null ? new Object[] {trailers, null} : new Object[] {data, trailers};
    }

    private static void writeFrames(ChannelHandlerContext ctx, ChannelPromise promise, Object first, Object second,
            Object third) {
        if (first == null) { // nothing to send (cannot happen for a response part, kept for the promise's sake)
            promise.setSuccess();
            return;
        }
        if (second == null) {
            ctx.write(first, promise);
            return;
        }
        if (promise.isVoid()) {
            ctx.write(first, promise);
            ctx.write(second, promise);
            if (third != null) {
                ctx.write(third, promise);
            }
            return;
        }
        PromiseCombiner combiner = new PromiseCombiner(ctx.executor());
        combiner.add(ctx.write(first));
        combiner.add(ctx.write(second));
        if (third != null) {
            combiner.add(ctx.write(third));
        }
        combiner.finish(promise);
    }
}
