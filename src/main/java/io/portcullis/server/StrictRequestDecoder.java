package io.portcullis.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Future;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * First stage of a downstream connection: Netty's HTTP/1.1 request decoder, made stricter where a proxy must be.
 *
 * <p>Netty already refuses CL+TE, conflicting or non-numeric Content-Length, a non-final chunked coding, whitespace
 * before the colon (via header-name validation) and bare LF. This subclass scans each request head once, before
 * Netty parses it, for what Netty tolerates but a proxy must not forward: obs-fold (a header line starting with SP
 * or HT, which Netty would merge), bare CR, NUL, and over-long single header fields. A refused head becomes a
 * request whose {@link DecoderResult} fails with {@link RejectedRequestException}; everything after it on the
 * connection is discarded. A chunked body's trailer section is held to the same rules by {@link ChunkedBodyScanner}.
 *
 * <p>It also owns the header-read timeout (slowloris defence): from the first byte of a head until the head is
 * decoded. One reusable task per connection checks the deadline, so fast requests schedule nothing.
 */
final class StrictRequestDecoder extends HttpRequestDecoder {
    /** Fired down the pipeline when a request head takes longer than the header-read timeout. */
    static final Object HEADER_READ_TIMEOUT = new Object() {
        @Override
        public String toString() {
            return "HEADER_READ_TIMEOUT";
        }
    };

    private final int maxHeaderField;
    private final long headerReadTimeoutNanos;

    // Head scanner state; it sees each head byte once (scanned = bytes after readerIndex already looked at).
    private boolean inHead = true;
    private boolean headStarted;
    private boolean inRequestLine;
    private int lineLength;
    private boolean sawCr;
    private int scanned;
    private boolean rejected;
    /** Follows a chunked body to scan its trailers; null for other bodies. */
    private ChunkedBodyScanner chunked;

    private long headStartNanos;
    private Future<?> timeoutTask;
    private ChannelHandlerContext ctx;

    StrictRequestDecoder(int maxRequestLine, int maxHeaderSize, int maxHeaderField, long headerReadTimeoutMillis) {
        super(new HttpDecoderConfig()
                .setMaxInitialLineLength(maxRequestLine)
                .setMaxHeaderSize(maxHeaderSize)
                .setMaxChunkSize(64 * 1024)
                .setValidateHeaders(true)
                .setAllowDuplicateContentLengths(false)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true));
        this.maxHeaderField = maxHeaderField;
        this.headerReadTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(headerReadTimeoutMillis);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        super.handlerAdded(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        if (rejected) {
            buffer.skipBytes(buffer.readableBytes());
            return;
        }
        RejectedRequestException problem = null;
        if (inHead) {
            problem = scanHead(buffer);
        } else if (chunked != null && !chunked.done()) {
            problem = chunked.scan(buffer, buffer.readerIndex() + scanned, buffer.writerIndex());
            scanned = chunked.position() - buffer.readerIndex();
        }
        if (problem != null) {
            rejected = true;
            buffer.skipBytes(buffer.readableBytes());
            // A refused head is a failed request; a refused body part is a failed last content, like Netty's own.
            HttpObject bad = inHead ? new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bad-request")
                    : new DefaultLastHttpContent();
            bad.setDecoderResult(DecoderResult.failure(problem));
            out.add(bad);
            return;
        }
        int before = out.size();
        int readerBefore = buffer.readerIndex();
        super.decode(ctx, buffer, out);
        scanned = Math.max(0, scanned - (buffer.readerIndex() - readerBefore));
        for (int i = before; i < out.size(); i++) {
            Object msg = out.get(i);
            if (msg instanceof HttpRequest request) {
                headStartNanos = 0;
                chunked = HttpUtil.isTransferEncodingChunked(request) ? new ChunkedBodyScanner(maxHeaderField)
                        : null;
            }
            if (msg instanceof LastHttpContent) {
                chunked = null;
                inHead = true;
                headStarted = false;
                inRequestLine = false;
                lineLength = 0;
                sawCr = false;
                scanned = 0;
            }
        }
    }

    /** Scans not-yet-seen head bytes; stops at the blank line that ends the head. */
    private RejectedRequestException scanHead(ByteBuf buffer) {
        int from = buffer.readerIndex() + scanned;
        int to = buffer.writerIndex();
        for (int i = from; i < to; i++) {
            byte b = buffer.getByte(i);
            if (headStartNanos == 0) {
                startHeaderTimer(); // any byte starts the deadline: empty lines before a request count too
            }
            if (sawCr) {
                sawCr = false;
                if (b != '\n') {
                    return reject(ErrorReason.INVALID_HEADER, "bare CR in request head");
                }
                if (headStarted) {
                    if (lineLength == 0) {
                        inHead = false; // blank line: the head is complete; the body is not ours to scan
                        scanned = i + 1 - buffer.readerIndex();
                        return null;
                    }
                    inRequestLine = false;
                }
                lineLength = 0; // before the request line, empty lines are ignored (RFC 9112 §2.2)
                continue;
            }
            switch (b) {
                case '\r' -> sawCr = true;
                case '\n' -> {
                    return reject(ErrorReason.INVALID_HEADER, "bare LF in request head");
                }
                case 0 -> {
                    return reject(ErrorReason.INVALID_HEADER, "NUL in request head");
                }
                default -> {
                    if (lineLength == 0 && (b == ' ' || b == '\t')) {
                        return reject(ErrorReason.INVALID_HEADER,
                                headStarted ? "obs-fold (line folding) is not allowed" : "whitespace before request line");
                    }
                    if (!headStarted) {
                        headStarted = true;
                        inRequestLine = true;
                    }
                    // The request line is bounded by Netty's max_request_line (414); field lines are bounded here.
                    if (++lineLength > maxHeaderField && !inRequestLine) {
                        return reject(ErrorReason.HEADERS_TOO_LARGE,
                                "header field longer than " + maxHeaderField + " bytes");
                    }
                }
            }
        }
        scanned = to - buffer.readerIndex();
        return null;
    }

    private static RejectedRequestException reject(ErrorReason reason, String detail) {
        return new RejectedRequestException(reason, detail);
    }

    private void startHeaderTimer() {
        headStartNanos = System.nanoTime();
        if (timeoutTask == null && headerReadTimeoutNanos > 0) {
            timeoutTask = ctx.executor().schedule(this::checkHeaderTimeout, headerReadTimeoutNanos,
                    TimeUnit.NANOSECONDS);
        }
    }

    private void checkHeaderTimeout() {
        timeoutTask = null;
        if (headStartNanos == 0 || !ctx.channel().isActive()) {
            return;
        }
        long remaining = headStartNanos + headerReadTimeoutNanos - System.nanoTime();
        if (remaining <= 0) {
            headStartNanos = 0;
            rejected = true;
            ctx.fireUserEventTriggered(HEADER_READ_TIMEOUT);
        } else {
            timeoutTask = ctx.executor().schedule(this::checkHeaderTimeout, remaining, TimeUnit.NANOSECONDS);
        }
    }

    /** The version token is case-sensitive {@code HTTP/d.d} (RFC 9112 §2.3); Netty would upper-case it. */
    @Override
    protected String splitThirdWordInitialLine(byte[] line, int start, int length) {
        if (length != 8 || line[start] != 'H' || line[start + 1] != 'T' || line[start + 2] != 'T'
                || line[start + 3] != 'P' || line[start + 4] != '/' || !isDigit(line[start + 5])
                || line[start + 6] != '.' || !isDigit(line[start + 7])) {
            throw new IllegalArgumentException("invalid HTTP version");
        }
        return super.splitThirdWordInitialLine(line, start, length);
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
        if (timeoutTask != null) {
            timeoutTask.cancel(false);
            timeoutTask = null;
        }
        super.handlerRemoved0(ctx);
    }
}
