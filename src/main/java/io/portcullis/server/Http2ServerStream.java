package io.portcullis.server;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
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
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One request stream of a downstream HTTP/2 connection, as its {@link DownstreamHandler} sees it: the stream's
 * frames become HTTP/1.1-shaped request parts, and response parts become frames, much as Netty's
 * {@code Http2StreamFrameToHttpObjectCodec} maps them. A plain object, not a channel: {@link Http2Streams} hands it
 * the frames of its stream, and it writes through the connection's frame codec.
 *
 * <p>Reading is paused and resumed here: while the handler does not read (upstream backpressure), the stream's
 * frames wait in a queue and their bytes are not returned to the client's flow-control window, so a client can send
 * at most one window ahead. The bytes of a DATA frame are returned once the handler took it.
 *
 * <p>A request head without :method, :scheme or :path (RFC 9113 §8.3.1; CONNECT: :method and :authority only) is
 * malformed and the stream is reset with PROTOCOL_ERROR: Netty's conversion would otherwise fail on it or, with no
 * :method, take the head for trailers and leave the stream unanswered. No second validation of fields: the frame
 * codec's HPACK decoder refused bad names and values (CR, LF, NUL, uppercase) already, as Http2AbuseTest shows. A
 * request body that stops arriving for the listener's idle timeout ends the stream, as on HTTP/1.1.
 */
final class Http2ServerStream implements DownstreamIo {
    private final Http2Streams connection;
    private final Http2FrameStream stream;
    private final DownstreamHandler handler;
    private final long idleNanos;
    private boolean headSeen;
    private boolean reading = true;
    private boolean delivering;
    /** Frames that arrived while the handler did not read; null until the first. */
    private ArrayDeque<Http2StreamFrame> waiting;
    /** The client ended its request (END_STREAM seen by the handler). */
    private boolean requestEnded;
    /** The handler was told the stream is gone (or is about to be: closing is deferred to a later task). */
    private boolean closed;
    /** The stream was reset or ended in the codec: nothing more is written to it. */
    private boolean ended;
    /** Counted in the connection's list of streams to notify at the end of its read. */
    boolean readThisPass;
    private long lastDataNanos;
    private Future<?> idleTimer;

    Http2ServerStream(Http2Streams connection, Http2FrameStream stream, DownstreamHandler handler, long idleNanos) {
        this.connection = connection;
        this.stream = stream;
        this.handler = handler;
        this.idleNanos = idleNanos;
        handler.attach(this);
    }

    // ---- inbound: frames from the connection

    /** A HEADERS or DATA frame of this stream; waits while the handler does not read. */
    void onFrame(Http2StreamFrame frame) {
        if (closed) {
            ReferenceCountUtil.release(frame); // a DATA frame's bytes return to the window when the stream closes
            return;
        }
        if (frame instanceof Http2DataFrame) {
            lastDataNanos = System.nanoTime();
        }
        if (!reading || (waiting != null && !waiting.isEmpty())) {
            if (waiting == null) {
                waiting = new ArrayDeque<>(4);
            }
            waiting.add(frame);
            return;
        }
        delivering = true;
        try {
            deliver(frame);
        } catch (RuntimeException e) {
            // The handler threw: this stream ends with INTERNAL_ERROR and the connection's other streams go on.
            onStreamError(Http2Error.INTERNAL_ERROR, e);
        } finally {
            delivering = false;
        }
    }

    /** The connection's read is over: the handler flushes what it sent upstream meanwhile. */
    void onReadComplete() {
        if (!closed) {
            handler.onReadComplete();
        }
    }

    void onWritabilityChanged() {
        if (!closed) {
            handler.onWritabilityChanged(isWritable());
        }
    }

    /** The codec reports a stream error: the stream is reset with its code, and the handler hears of the cause. */
    void onStreamError(Http2Error error, Throwable cause) {
        reset(error);
        connection.flush();
        if (!closed) {
            handler.onFailure(cause);
        }
        closeHandler();
    }

    /** The codec closed the stream (both sides ended, a reset, GOAWAY or the connection closing). */
    void onCodecClosed() {
        ended = true;
        closeHandler();
    }

    private void deliver(Http2StreamFrame frame) {
        if (frame instanceof Http2DataFrame data) {
            int bytes = data.initialFlowControlledBytes();
            boolean end = data.isEndStream();
            // The frame's content goes on in the HTTP part: the reference passes, the frame is not released.
            handler.onRead(end ? new DefaultLastHttpContent(data.content(), false)
                    : new DefaultHttpContent(data.content()));
            if (end) {
                requestEnded();
            }
            connection.consumed(stream, bytes);
        } else if (frame instanceof Http2HeadersFrame headers) {
            if (headSeen) {
                onTrailers(headers);
            } else {
                headSeen = true;
                onHead(headers);
            }
        } else {
            ReferenceCountUtil.release(frame);
        }
    }

    private void onHead(Http2HeadersFrame frame) {
        Http2Headers headers = frame.headers();
        if (malformed(headers)) {
            reset(Http2Error.PROTOCOL_ERROR);
            connection.flush();
            closeHandler();
            return;
        }
        HttpRequest request;
        try {
            request = HttpConversionUtil.toHttpRequest(stream.id(), headers, false);
        } catch (Http2Exception e) {
            handler.onFailure(new DecoderException(e));
            return;
        }
        if (frame.isEndStream()) {
            requestEnded();
            handler.onRead(request);
            handler.onRead(LastHttpContent.EMPTY_LAST_CONTENT);
            return;
        }
        if (!HttpUtil.isContentLengthSet(request)) {
            request.headers().add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        // A body follows: as on an HTTP/1.1 connection, one that stops arriving is cut off after the idle timeout,
        // even while the connection stays busy. Body-less requests (most) need no timer.
        lastDataNanos = System.nanoTime();
        idleTimer = eventLoop().schedule(this::checkIdle, idleNanos, TimeUnit.NANOSECONDS);
        handler.onRead(request);
    }

    /** HEADERS after the head: trailers when they end the stream; other HEADERS carry nothing for the proxy. */
    private void onTrailers(Http2HeadersFrame frame) {
        if (!frame.isEndStream()) {
            return;
        }
        requestEnded();
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, false);
        try {
            HttpConversionUtil.addHttp2ToHttpHeaders(stream.id(), frame.headers(), last.trailingHeaders(),
                    HttpVersion.HTTP_1_1, true, true);
        } catch (Http2Exception e) {
            handler.onFailure(new DecoderException(e));
            return;
        }
        handler.onRead(last);
    }

    private void requestEnded() {
        requestEnded = true;
        cancelIdleTimer();
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

    private void checkIdle() {
        idleTimer = null;
        if (requestEnded || closed) {
            return;
        }
        long quietFor = System.nanoTime() - lastDataNanos;
        if (quietFor >= idleNanos) {
            handler.onIdle();
        }
        if (!requestEnded && !closed) {
            long delay = quietFor >= idleNanos ? idleNanos : idleNanos - quietFor;
            idleTimer = eventLoop().schedule(this::checkIdle, delay, TimeUnit.NANOSECONDS);
        }
    }

    private void cancelIdleTimer() {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }

    /** Tells the handler, once and in a later task, that the stream is gone; what waited is dropped. */
    private void closeHandler() {
        if (closed) {
            return;
        }
        closed = true;
        cancelIdleTimer();
        if (waiting != null) {
            Object frame;
            while ((frame = waiting.poll()) != null) {
                ReferenceCountUtil.release(frame);
            }
        }
        // Later, as a closed channel would report it: the close may come from inside a write of the handler's own
        // exchange (the last DATA frame ends the stream), which must finish before the handler hears of it.
        connection.closeLater(this);
    }

    /** For {@link Http2Streams}: the deferred notice of {@link #closeHandler()}. */
    void notifyClosed() {
        handler.onClosed();
    }

    private void reset(Http2Error error) {
        if (!ended) {
            ended = true;
            connection.reset(stream, error);
        }
    }

    // ---- DownstreamIo: the handler's side

    @Override
    public EventLoop eventLoop() {
        return connection.eventLoop();
    }

    @Override
    public ByteBufAllocator alloc() {
        return connection.alloc();
    }

    @Override
    public SocketAddress remoteAddress() {
        return connection.remoteAddress();
    }

    @Override
    public void setReading(boolean on) {
        reading = on;
        if (!on || delivering || closed || waiting == null || waiting.isEmpty()) {
            return;
        }
        delivering = true;
        try {
            Http2StreamFrame frame;
            while (reading && !closed && (frame = waiting.poll()) != null) {
                deliver(frame);
            }
        } catch (RuntimeException e) {
            onStreamError(Http2Error.INTERNAL_ERROR, e);
        } finally {
            delivering = false;
        }
        onReadComplete();
        connection.flush(); // the window updates of what was delivered
    }

    @Override
    public boolean isWritable() {
        return ended || connection.isWritable(stream);
    }

    @Override
    public void close() {
        reset(Http2Error.CANCEL);
        connection.flush();
        closeHandler();
    }

    @Override
    public void closeAfter(ChannelFuture written) {
        if (written.isDone()) {
            close();
        } else {
            written.addListener(f -> close());
        }
    }

    @Override
    public void flush() {
        connection.flush();
    }

    @Override
    public void write(Object msg) {
        write(msg, false);
    }

    @Override
    public ChannelFuture writeAndFlush(Object msg) {
        ChannelFuture last = write(msg, true);
        connection.flush();
        return last;
    }

    /**
     * A response head becomes HEADERS (ending the stream when a full response has nothing more), a body part DATA,
     * the last part DATA ending the stream or, with trailers, a last HEADERS. With {@code track}, the returned
     * future completes when the message's last frame is written; otherwise nothing is tracked.
     */
    private ChannelFuture write(Object msg, boolean track) {
        if (ended) {
            ReferenceCountUtil.release(msg); // reset or ended: the codec would refuse the frames anyway
            return connection.succeeded();
        }
        Http2StreamFrame first = null;
        Http2StreamFrame second = null;
        Http2StreamFrame third = null;
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
                        Http2StreamFrame[] tail = lastFrames(last, msg instanceof FullHttpMessage);
                        second = tail[0];
                        third = tail[1];
                    }
                }
            } else if (msg instanceof LastHttpContent last) {
                Http2StreamFrame[] tail = lastFrames(last, false);
                first = tail[0];
                second = tail[1];
            } else if (msg instanceof HttpContent content) {
                first = new DefaultHttp2DataFrame(content.content().retain(), false);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
        if (first == null) { // nothing to send (cannot happen for a response part)
            return connection.succeeded();
        }
        if (second == null) {
            return connection.write(first.stream(stream), track);
        }
        connection.write(first.stream(stream), false);
        if (third == null) {
            return connection.write(second.stream(stream), track);
        }
        connection.write(second.stream(stream), false);
        return connection.write(third.stream(stream), track);
    }

    /** The frames of a message's end: DATA (unless empty and not needed), then trailers if any; nulls for none. */
    private static Http2StreamFrame[] lastFrames(LastHttpContent last, boolean fullMessage) {
        boolean noTrailers = last.trailingHeaders().isEmpty();
        Http2StreamFrame data = null;
        if (last.content().isReadable() || (!fullMessage && noTrailers)) {
            data = new DefaultHttp2DataFrame(last.content().retain(), noTrailers);
        }
        Http2StreamFrame trailers = noTrailers ? null
                : new DefaultHttp2HeadersFrame(HttpConversionUtil.toHttp2Headers(last.trailingHeaders(), false), true);
        return data == null ? new Http2StreamFrame[] {trailers, null} : new Http2StreamFrame[] {data, trailers};
    }

    @Override
    public String toString() {
        return "h2 stream " + stream.id();
    }
}
