package io.portcullis.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.portcullis.config.ListenerConfig;
import io.portcullis.observe.AccessLogEntry;
import io.portcullis.config.RouteConfig;
import io.portcullis.filter.Filter;
import io.portcullis.filter.FilterChain;
import io.portcullis.filter.Peer;
import io.portcullis.filter.Rejection;
import io.portcullis.security.ip.ClientAddress;
import io.portcullis.security.ip.IpSet;
import io.portcullis.observe.GatewayMetrics;
import io.portcullis.ratelimit.anomaly.Action;
import io.portcullis.ratelimit.anomaly.AnomalyDetector;
import io.portcullis.ratelimit.overload.RequestBudget;
import io.portcullis.resilience.CircuitBreaker;
import io.portcullis.route.Route;
import io.portcullis.upstream.Cluster;
import io.portcullis.upstream.UpstreamPools;
import io.netty.util.concurrent.Future;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection-level half of the proxy, one per downstream connection: validates and routes each request head,
 * answers locally when it must (4xx, 5xx as JSON), and otherwise hands the request to a {@link ProxyExchange}.
 *
 * <p>At most one exchange is in flight per connection. A pipelined request that arrives while another is in flight
 * waits, with everything decoded after it, in {@link #pipelined}; reading pauses until it is served, so responses
 * go out strictly in request order. In the common case (one request at a time) {@code autoRead} never changes:
 * each change costs an {@code epoll_ctl} system call, so the connection pauses only for pipelining and for
 * backpressure from the upstream socket.
 *
 * <p>It also owns the connection's response timer: one self-rearming task checks the current exchange's deadline,
 * so keep-alive traffic does not schedule a timer per request.
 */
final class DownstreamHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(DownstreamHandler.class);
    /** The fields Netty's HTTP/2 mapping adds ({@code x-http2-scheme}, ...); never forwarded. */
    private static final HttpConversionUtil.ExtensionHeaderNames[] H2_EXTENSION_HEADERS =
            HttpConversionUtil.ExtensionHeaderNames.values();

    private final GatewayContext context;
    private final ListenerConfig listener;
    /** Null on HTTP/2 streams, whose codec frames HEAD responses by itself. */
    private final ProxyResponseEncoder encoder;
    private final ConnectionInfo info;
    private final RequestBudget budget;
    private DownstreamIo io;
    private UpstreamPools pools;
    /** Who is on the other end, for filters: one per connection (HTTP/2 streams share their connection's). */
    private Peer peer;
    private ProxyExchange exchange;
    /** A request whose filters wait, or whose body they need and is being read; null otherwise. */
    private FilteredRequest filtering;
    /** Discard request parts until the end of a request that was answered locally on a kept-alive connection. */
    private boolean skipUntilLast;
    /** The connection is closing: every further byte from the client is ignored. */
    private boolean closing;
    /** A pipelined request head timed out while another exchange was in flight: close after it. */
    private boolean closeAfterExchange;
    /** Messages decoded while an exchange was in flight, from the next request head on; served in order. */
    private final ArrayDeque<Object> pipelined = new ArrayDeque<>(4); // small: one per HTTP/2 stream too
    private boolean dispatching;
    private Future<?> responseTimer;
    private long responseTimerAt;

    /**
     * @param budget requests this HTTP/1.1 connection may still serve (the last is answered with
     *     {@code Connection: close}), or null for no limit; HTTP/2 streams get none
     */
    DownstreamHandler(GatewayContext context, ListenerConfig listener, ProxyResponseEncoder encoder,
            ConnectionInfo info, RequestBudget budget) {
        this.budget = budget;
        this.context = context;
        this.listener = listener;
        this.encoder = encoder;
        this.info = info;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        attach(new DownstreamIo.Connection(ctx));
    }

    /** Binds this handler to its client side: done once, before the first request part arrives. */
    void attach(DownstreamIo io) {
        this.io = io;
        this.pools = context.pools(io.eventLoop());
        this.peer = info.peer() != null ? info.peer()
                : new Peer(ConnectionInfo.clientIp(io.remoteAddress()), "https".equals(info.scheme()),
                        info.identity());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        onRead(msg);
    }

    /** A request part (an {@link HttpRequest} or {@link HttpContent}) from the client. */
    void onRead(Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!pipelined.isEmpty() || (busy() && msg instanceof HttpRequest)) {
            pipelined.add(msg);
            pauseReading();
            return;
        }
        dispatch(msg);
    }

    private void dispatch(Object msg) {
        if (msg instanceof HttpRequest request) {
            onRequest(request);
        } else if (msg instanceof HttpContent content) {
            onContent(content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onRequest(HttpRequest request) {
        if (closing) {
            ReferenceCountUtil.release(request);
            return;
        }
        long startNanos = System.nanoTime();
        String requestId = request.headers().get(ProxyHeaders.X_REQUEST_ID);
        if (requestId == null || !RequestIds.isWellFormed(requestId)) {
            requestId = RequestIds.generate();
        }
        if (request.decoderResult().isFailure()) {
            ReferenceCountUtil.release(request); // Netty's invalid message is a full request with a (empty) body
            respondLocal(request, RequestValidator.reasonFor(request.decoderResult().cause()), requestId, true,
                    startNanos, null);
            return;
        }
        ErrorReason invalid = RequestValidator.validate(request);
        if (invalid == null && info.http2() && request.uri().length() > listener.limits().maxRequestLine()) {
            invalid = ErrorReason.REQUEST_LINE_TOO_LONG; // HTTP/1.1's decoder checks this; :path gets the same limit
        }
        RequestTarget target = invalid == null ? RequestTarget.parse(request.uri()) : null;
        if (invalid == null && (target == null
                || (target.path().equals("*") && request.method() != HttpMethod.OPTIONS))) {
            invalid = ErrorReason.INVALID_TARGET;
        }
        if (invalid != null) {
            ReferenceCountUtil.release(request);
            respondLocal(request, invalid, requestId, true, startNanos, null);
            return;
        }
        HttpHeaders headers = request.headers();
        if (budget != null && budget.onRequest() != RequestBudget.Verdict.SERVE) {
            HttpUtil.setKeepAlive(request, false); // the connection's last request: answered with Connection: close
        }
        edgeHeaders(headers);
        boolean hasBody = HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
        String host = target.authority() != null ? target.authority() : headers.get(HttpHeaderNames.HOST);

        Snapshot snapshot = context.snapshot(); // captured once: this request finishes on it
        Route route = snapshot.router().find(RequestTarget.routingHost(host), target.path(),
                request.method().name(), headers);
        if (route == null) {
            ErrorReason reason = ErrorReason.NO_ROUTE;
            AnomalyDetector anomaly = context.anomaly();
            if (anomaly != AnomalyDetector.NONE) { // unmatched paths are what a scanner mostly finds
                String client = clientAddress(snapshot, headers);
                if (anomaly.check(client, null, null).kind() == Action.Kind.BLOCK) {
                    reason = ErrorReason.ANOMALY_BLOCKED;
                } else {
                    anomaly.record(client, null, null, 404, target.path());
                }
            }
            respondLocal(request, reason, requestId, hasBody, startNanos, null);
            return;
        }
        Cluster cluster = snapshot.clusters().get(route.cluster());
        if (cluster != null) {
            cluster = cluster.orFailover(snapshot.clusters());
        }
        if (cluster == null) {
            respondLocal(request, ErrorReason.UNKNOWN_CLUSTER, requestId, hasBody, startNanos, route);
            return;
        }
        long maxBody = route.maxBodySize() >= 0 ? route.maxBodySize() : listener.limits().maxBodySize();
        if (HttpUtil.getContentLength(request, 0L) > maxBody) {
            respondLocal(request, ErrorReason.BODY_TOO_LARGE, requestId, true, startNanos, route);
            return;
        }
        String expect = headers.get(HttpHeaderNames.EXPECT);
        boolean sendContinue = false;
        if (expect != null) {
            if (request.protocolVersion() != HttpVersion.HTTP_1_1
                    || !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect)) {
                respondLocal(request, ErrorReason.EXPECTATION_FAILED, requestId, hasBody, startNanos, route);
                return;
            }
            headers.remove(HttpHeaderNames.EXPECT);
            sendContinue = hasBody;
        }
        Snapshot.RouteRuntime runtime = snapshot.runtime(route);
        List<Filter> filters = runtime.filters(listener.name());
        if (filters.isEmpty()) {
            admit(request, target, host, route, cluster, snapshot, runtime, requestId, startNanos, maxBody, hasBody,
                    sendContinue, null);
            return;
        }
        FilterChain chain = FilterChain.create(filters, request, peer, clientAddress(snapshot, headers),
                io.eventLoop());
        FilteredRequest filtered = new FilteredRequest(request, target, host, route, cluster, snapshot, runtime,
                requestId, startNanos, maxBody, hasBody, sendContinue, chain);
        chain.onResumed(c -> {
            if (filtering == filtered && !closing) {
                afterFilters(filtered);
            } else {
                filtered.release();
            }
        });
        chain.runHead();
        afterFilters(filtered);
    }

    /** The client's address as trusted: the peer's, or the one a trusted proxy in front reports. */
    private String clientAddress(Snapshot snapshot, HttpHeaders headers) {
        IpSet trusted = snapshot.trustedProxies(listener.name());
        return trusted == null ? peer.address() : ClientAddress.resolve(peer.address(), headers, trusted);
    }

    /** Acts on where the request's filters stand: proceed, answer, wait, or read the body for them. */
    private void afterFilters(FilteredRequest f) {
        FilterChain chain = f.chain;
        switch (chain.state()) {
            case WAITING -> {
                filtering = f;
                pauseReading(); // parts already decoded are held; no more until the filters decide
            }
            case NEEDS_BODY -> {
                if (!f.hasBody || f.complete()) {
                    f.collect(io.alloc());
                    chain.runBody(f.hasBody ? f.body() : Unpooled.EMPTY_BUFFER);
                    afterFilters(f);
                    return;
                }
                if (HttpUtil.getContentLength(f.request, -1L) > chain.bodyLimit()) {
                    f.release(); // declared too large for the filters that would read it: not one byte is read
                    respondLocal(f.request, ErrorReason.BODY_TOO_LARGE, f.requestId, true, f.startNanos, f.route);
                    return;
                }
                filtering = f;
                f.collect(io.alloc());
                if (f.sendContinue) {
                    f.sendContinue = false;
                    sendContinue();
                }
                resumeReading();
            }
            case RESPONDED -> {
                filtering = null;
                SecurityEvents.detected(context, f);
                SecurityEvents.rejected(context, f);
                Rejection r = chain.rejection();
                FullHttpResponse response = r.status() < 300
                        ? ErrorResponses.empty(f.request.protocolVersion(), HttpResponseStatus.valueOf(r.status()),
                                f.requestId)
                        : ErrorResponses.json(io.alloc(), f.request.protocolVersion(),
                                HttpResponseStatus.valueOf(r.status()), r.error(), f.requestId, false, r.details());
                for (Map.Entry<String, String> h : r.headers()) {
                    response.headers().add(h.getKey(), h.getValue());
                }
                chain.applyResponseActions(response.headers());
                boolean complete = f.complete();
                f.release();
                respondWith(f.request, response, r.error(), f.requestId, !complete, !complete, f.startNanos,
                        f.route);
                chain.complete(r.status(), System.nanoTime() - f.startNanos);
            }
            case PROCEED -> {
                filtering = null;
                SecurityEvents.detected(context, f);
                admit(f.request, f.currentTarget(), f.host, f.route, f.cluster, f.snapshot, f.runtime,
                        f.requestId, f.startNanos, f.maxBody, f.hasBody, f.sendContinue, chain);
                ProxyExchange ex = exchange;
                if (ex != null) {
                    f.replayInto(ex);
                } else {
                    f.release();
                }
                resumeReading();
            }
        }
    }

    /** A request part for a request whose filters have not decided yet. */
    private void onFilteredContent(FilteredRequest f, HttpContent content) {
        if (content.decoderResult().isFailure()) {
            Throwable cause = content.decoderResult().cause();
            content.release();
            filtering = null;
            f.release();
            respondLocal(f.request, RequestValidator.reasonFor(cause), f.requestId, true, f.startNanos, f.route);
            return;
        }
        if (!f.add(content)) {
            filtering = null;
            f.release();
            respondLocal(f.request, ErrorReason.BODY_TOO_LARGE, f.requestId, true, f.startNanos, f.route);
            return;
        }
        if (f.collecting() && f.complete()) {
            f.chain.runBody(f.body());
            afterFilters(f);
        }
    }

    /**
     * Past routing and filters: the circuit breaker decides, then the exchange starts. {@code chain} is the
     * request's filter chain (its delay and response headers apply), or null when the route has no filters.
     */
    private void admit(HttpRequest request, RequestTarget target, String host, Route route, Cluster cluster,
            Snapshot snapshot, Snapshot.RouteRuntime runtime, String requestId, long startNanos, long maxBody,
            boolean hasBody, boolean sendContinue, FilterChain chain) {
        CircuitBreaker breaker = runtime.breaker() != null ? runtime.breaker() : cluster.breaker();
        long permit = CircuitBreaker.REJECTED;
        if (breaker != null) {
            permit = breaker.tryAcquire();
            if (permit == CircuitBreaker.REJECTED) {
                RouteConfig.Fallback fallback = route.fallback();
                Cluster instead = fallback == null || fallback.cluster() == null ? null
                        : snapshot.clusters().get(fallback.cluster());
                if (instead == null) {
                    FullHttpResponse answer = Fallbacks.answer(io.alloc(), request, host, fallback,
                            runtime.cache(), breaker, requestId);
                    int status = answer.status().code();
                    respondWith(request, answer, ErrorReason.CIRCUIT_OPEN.name(), requestId, hasBody, true,
                            startNanos, route);
                    if (chain != null) {
                        chain.complete(status, System.nanoTime() - startNanos);
                    }
                    return;
                }
                cluster = instead;
                breaker = null;
            }
        }
        if (sendContinue) {
            // The gateway owns 100-continue (like Envoy): routing, size checks, filters and the breaker let the
            // request through, so invite the body.
            sendContinue();
        }
        exchange = new ProxyExchange(this, io, encoder, info, request, target, host, route, cluster, runtime, breaker,
                permit, requestId, peer.address(), startNanos, maxBody, hasBody);
        if (chain != null) {
            exchange.filterChain(chain);
        }
        exchange.startAfter(pools, chain == null ? 0 : chain.delayNanos());
    }

    private void sendContinue() {
        io.write(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                Unpooled.EMPTY_BUFFER));
        io.flush();
    }

    /**
     * Removes what only the gateway may say (the HTTP/2 mapping's own fields, a client-sent copy of the client
     * certificate header) and adds the verified client certificate when the listener forwards it.
     */
    private void edgeHeaders(HttpHeaders headers) {
        if (info.http2()) {
            for (HttpConversionUtil.ExtensionHeaderNames name : H2_EXTENSION_HEADERS) {
                headers.remove(name.text());
            }
        }
        headers.remove(ConnectionInfo.DEFAULT_CLIENT_CERT_HEADER);
        if (info.clientCertHeader() != null) {
            headers.remove(info.clientCertHeader());
            if (info.identityValue() != null) {
                headers.set(info.clientCertHeader(), info.identityValue());
            }
        }
    }

    private void onContent(HttpContent content) {
        ProxyExchange ex = exchange;
        if (ex != null) {
            ex.onRequestContent(content);
            return;
        }
        FilteredRequest f = filtering;
        if (f != null) {
            onFilteredContent(f, content);
            return;
        }
        content.release();
        if (skipUntilLast && content instanceof LastHttpContent) {
            skipUntilLast = false;
        }
    }

    /**
     * Answers a request the gateway will not proxy. With {@code close}, the connection ends after the answer
     * (the request's body, if any, is never read); otherwise the rest of the request is discarded.
     */
    /** Answers before any exchange started; the request's headers are still as the client sent them. */
    void respondLocal(HttpRequest request, ErrorReason reason, String requestId, boolean close, long startNanos,
            Route route) {
        respondLocal(request, reason, requestId, close || !HttpUtil.isKeepAlive(request), true, startNanos, route);
    }

    /** {@code close} already accounts for the client's keep-alive wish (its Connection header may be gone). */
    private void respondLocal(HttpRequest request, ErrorReason reason, String requestId, boolean close,
            boolean skipRest, long startNanos, Route route) {
        boolean closeNow = close || context.draining() || closeAfterExchange || closing;
        FullHttpResponse response = GrpcStatus.isGrpc(request)
                ? GrpcStatus.response(reason.status().code(), reason.name(), requestId)
                : ErrorResponses.json(io.alloc(), request.protocolVersion(), reason, requestId, closeNow);
        long bytesOut = send(request, response, closeNow, skipRest);
        logLocal(request, reason.status().code(), reason.name(), requestId, startNanos, route, bytesOut);
    }

    /**
     * Answers with a response the gateway made instead of proxying (a circuit-breaker fallback); {@code reason}
     * names why in the access log. The rest of the request, if any, is discarded.
     */
    void respondWith(HttpRequest request, FullHttpResponse response, String reason, String requestId,
            boolean close, boolean skipRest, long startNanos, Route route) {
        boolean closeNow = close || !HttpUtil.isKeepAlive(request) || context.draining() || closeAfterExchange
                || closing;
        int status = response.status().code();
        if (status >= 400 && GrpcStatus.isGrpc(request)) {
            response.release();
            response = GrpcStatus.response(status, reason, requestId);
        }
        long bytesOut = send(request, response, closeNow, skipRest);
        logLocal(request, status, reason, requestId, startNanos, route, bytesOut);
    }

    /** Writes a complete local answer and settles the connection; returns the body bytes written. */
    private long send(HttpRequest request, FullHttpResponse response, boolean closeNow, boolean skipRest) {
        if (closeNow) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (request.protocolVersion() == HttpVersion.HTTP_1_0) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        long bytesOut = response.content().readableBytes();
        if (info.hsts() != null) {
            response.headers().set(ProxyHeaders.STRICT_TRANSPORT_SECURITY, info.hsts());
        }
        if (encoder != null) {
            encoder.nextResponseIsHead(request.method() == HttpMethod.HEAD);
        }
        ChannelFuture written = io.writeAndFlush(response);
        if (closeNow) {
            startClosing();
            io.closeAfter(written);
        } else {
            skipUntilLast = skipRest;
            servePipelined();
        }
        return bytesOut;
    }

    private void logLocal(HttpRequest request, int status, String reason, String requestId, long startNanos,
            Route route, long bytesOut) {
        long elapsed = System.nanoTime() - startNanos;
        GatewayMetrics metrics = context.metrics();
        (route == null ? metrics.unrouted() : metrics.route(route.name(), route.cluster()))
                .record(status, elapsed, -1, 0, bytesOut);
        if (!context.accessLog().enabled()) {
            return;
        }
        context.accessLog().log(new AccessLogEntry(System.currentTimeMillis(), requestId, peer.address(),
                request.method().name(), pathForLog(request.uri()), request.protocolVersion().text(),
                request.headers().get(HttpHeaderNames.HOST), route == null ? null : route.name(), null,
                status, reason, 0, bytesOut, elapsed, -1));
    }

    static String pathForLog(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }

    /** The exchange failed before its response started; the gateway answers in its place. */
    void exchangeFailed(ProxyExchange failed, ErrorReason reason, boolean close, boolean skipRest) {
        if (exchange == failed) {
            exchange = null;
        }
        respondLocal(failed.request(), reason, failed.requestId(), close, skipRest, failed.startNanos(),
                failed.route());
    }

    /** The exchange is over: its response is written (or being written) in full. */
    void exchangeDone(ProxyExchange done, boolean close, ChannelFuture lastWrite) {
        if (exchange != done) {
            return;
        }
        exchange = null;
        if (close || closeAfterExchange || context.draining()) {
            startClosing();
            io.closeAfter(lastWrite);
            return;
        }
        servePipelined();
    }

    /**
     * Serves what waited while an exchange was in flight, up to the next request head that must wait again, then
     * resumes reading if nothing is left waiting. Never re-entered: a local answer given while dispatching lets
     * the outer loop continue.
     */
    private void servePipelined() {
        if (dispatching) {
            return;
        }
        dispatching = true;
        try {
            Object next;
            while (!closing && (next = pipelined.peek()) != null
                    && !(busy() && next instanceof HttpRequest)) {
                dispatch(pipelined.poll());
            }
        } finally {
            dispatching = false;
        }
        resumeReading();
    }

    /** A request is being served: its exchange is in flight, or its filters have not decided yet. */
    private boolean busy() {
        return exchange != null || filtering != null;
    }

    private void startClosing() {
        closing = true;
        FilteredRequest f = filtering;
        if (f != null) {
            filtering = null;
            f.release();
            f.chain.complete(0, System.nanoTime() - f.startNanos); // the client left while its filters decided
        }
        pauseReading();
        Object m;
        while ((m = pipelined.poll()) != null) {
            ReferenceCountUtil.release(m);
        }
    }

    /** Aborts the connection: for responses already started, so a truncated body cannot look complete. */
    void abort(ProxyExchange done) {
        if (exchange == done) {
            exchange = null;
        }
        startClosing();
        io.close();
    }

    /** Stops reading the client socket (upstream backpressure, or pipelined requests waiting). */
    void pauseReading() {
        io.setReading(false);
    }

    /** Resumes reading unless something still needs the pause. No-op (no system call) when already reading. */
    void resumeReading() {
        ProxyExchange ex = exchange;
        FilteredRequest f = filtering;
        if (!closing && pipelined.isEmpty() && (ex == null || ex.acceptsRequestData())
                && (f == null || f.collecting())) {
            io.setReading(true);
        }
    }

    /** Makes sure the response timer fires no later than {@code delayNanos} from now. */
    void armResponseTimer(long delayNanos) {
        long at = System.nanoTime() + delayNanos;
        if (responseTimer != null) {
            if (responseTimerAt - at <= 0) {
                return; // already due in time; it re-arms itself for the rest
            }
            responseTimer.cancel(false);
        }
        responseTimerAt = at;
        responseTimer = io.eventLoop().schedule(this::checkResponseTimer, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void checkResponseTimer() {
        responseTimer = null;
        ProxyExchange ex = exchange;
        if (ex == null) {
            return;
        }
        long remaining = ex.timeoutRemainingNanos();
        if (remaining <= 0) {
            ex.onTimeout();
        } else if (remaining != Long.MAX_VALUE) {
            armResponseTimer(remaining);
        }
    }

    GatewayContext context() {
        return context;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        onReadComplete();
        ctx.fireChannelReadComplete();
    }

    /** The client's data read in one go has all been handed over: what went upstream meanwhile is flushed. */
    void onReadComplete() {
        ProxyExchange ex = exchange;
        if (ex != null) {
            ex.flushUpstream();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        onWritabilityChanged(io.isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    void onWritabilityChanged(boolean writable) {
        ProxyExchange ex = exchange;
        if (ex != null) {
            ex.onDownstreamWritabilityChanged(writable);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        onClosed();
        ctx.fireChannelInactive();
    }

    /** The client side is gone (connection closed, stream ended or reset): the exchange in flight, if any, ends. */
    void onClosed() {
        startClosing();
        if (responseTimer != null) {
            responseTimer.cancel(false);
            responseTimer = null;
        }
        ProxyExchange ex = exchange;
        exchange = null;
        if (ex != null) {
            ex.onDownstreamClosed();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == StrictRequestDecoder.HEADER_READ_TIMEOUT) {
            if (exchange == null) {
                HttpRequest placeholder = new DefaultHttpRequest(HttpVersion.HTTP_1_1,
                        HttpMethod.GET, "/");
                respondLocal(placeholder, ErrorReason.HEADER_READ_TIMEOUT, RequestIds.generate(), true,
                        System.nanoTime(), null);
            } else {
                closeAfterExchange = true;
            }
        } else if (evt instanceof IdleStateEvent) {
            onIdle();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    /** The client sent nothing for the idle timeout. */
    void onIdle() {
        ProxyExchange ex = exchange;
        if (ex == null) {
            startClosing();
            io.close();
        } else {
            ex.onDownstreamIdle();
        }
    }

    /**
     * Shutdown began: an idle connection closes now; an exchange in flight may finish, within its route's or
     * cluster's drain timeout when one is set (the server's bounds everything).
     */
    void closeIfIdle() {
        if (exchange == null && !closing) {
            startClosing();
            io.close();
            return;
        }
        ProxyExchange ex = exchange;
        long limit = ex == null ? -1 : ex.drainNanos();
        if (limit >= 0) {
            io.eventLoop().schedule(ex::onDrainTimeout, limit, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        onFailure(cause);
    }

    /** The client side failed (a decoding or stream error): log it, and end the client side. */
    void onFailure(Throwable cause) {
        if (cause instanceof Error) { // out of direct memory and the like: the gateway's problem, not the client's
            LOG.error("downstream connection from {} failed", peer.address(), cause);
        } else {
            LOG.debug("downstream connection from {} failed: {}", peer.address(), cause.toString());
        }
        startClosing();
        io.close();
    }
}
