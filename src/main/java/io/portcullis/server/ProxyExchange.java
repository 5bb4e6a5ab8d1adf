package io.portcullis.server;

import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.portcullis.config.ResilienceConfig;
import io.portcullis.config.RouteConfig;
import io.portcullis.filter.FilterChain;
import io.portcullis.observe.AccessLogEntry;
import io.portcullis.resilience.CircuitBreaker;
import io.portcullis.resilience.OutlierDetector;
import io.portcullis.resilience.ResponseCache;
import io.portcullis.route.Route;
import io.portcullis.upstream.AcquireCallback;
import io.portcullis.upstream.Cluster;
import io.portcullis.upstream.PoolExhaustedException;
import io.portcullis.upstream.UpstreamConnection;
import io.portcullis.upstream.UpstreamEndpoint;
import io.portcullis.upstream.UpstreamListener;
import io.portcullis.upstream.UpstreamPools;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One proxied request/response, from routed request head to last response byte: rewrites the head, borrows an
 * upstream connection from this loop's pool, streams the body each way with backpressure, re-frames the response
 * for the client (chunked for HTTP/1.1 when the length is unknown, close-delimited for HTTP/1.0), and maps upstream
 * failures to 502/504 or, once the response has started, to an aborted connection.
 *
 * <p>Confined to the downstream connection's event loop; all state is plain fields.
 */
final class ProxyExchange implements UpstreamListener, AcquireCallback {
    private final DownstreamHandler downstream;
    private final DownstreamIo io;
    /** Null on HTTP/2 streams. */
    private final ProxyResponseEncoder encoder;
    private final ConnectionInfo info;
    private final HttpRequest request;
    private final RequestTarget target;
    private final String host;
    private final Route route;
    private final Cluster cluster;
    private final Snapshot.RouteRuntime meters;
    /** The breaker this exchange reports to, with the permit it holds ({@link CircuitBreaker#REJECTED}: none). */
    private final CircuitBreaker breaker;
    private long permit;
    /** The key this response is cached under for the route's cache fallback, or null when it is not kept. */
    private String cacheKey;
    private CacheCapture capture;
    private final String requestId;
    private final String clientIp;
    private final long startNanos;
    private final long startMillis;
    private final long maxBody;
    private final boolean hasBody;
    private final boolean headRequest;
    private final boolean clientHttp10;
    /** Per try: time to the response head. */
    private final long timeoutNanos;
    /** Longest silence between response body reads once the head arrived. */
    private final long idleNanos;
    /** The route's connect timeout, or -1 for the cluster's. */
    private final long connectMillis;
    /** The total deadline until the response head, retries included ({@code Long.MAX_VALUE}: none). */
    private final long deadlineNanos;
    /** Null when the route and cluster allow no retries. */
    private final RetryState retry;
    private FilterChain filterChain;

    private UpstreamPools pools;
    private HttpRequest upstreamRequest;
    /** Chosen endpoint; its active-request count includes this exchange until {@link #endEndpointRequest}. */
    private UpstreamEndpoint endpoint;
    private UpstreamConnection connection;
    private boolean reused;
    private boolean endpointDone;
    /** Counted in the cluster's requests in flight (its bulkhead). */
    private boolean admitted;
    /** Some of the request (its end marker at least) was written to an upstream connection. */
    private boolean bodySent;
    /** The current try resends the kept request body (a retry after the previous try sent it). */
    private boolean replaying;
    private long hash;
    private boolean retried;
    private boolean requestDone;
    private boolean responseStarted;
    private boolean finished;
    private boolean closeAfter;
    private boolean upstreamReusable;
    private long bytesIn;
    private long bytesOut;
    private long upstreamSentNanos = -1;
    private long upstreamHeadNanos = -1;
    private long lastUpstreamActivity;
    private boolean timerRunning;
    private int status;
    /** A response head that came with its end marker, held until that marker is relayed. */
    private HttpResponse pendingHead;
    /** Request parts that arrived before the upstream connection was ready. */
    private ArrayDeque<HttpContent> pending;

    ProxyExchange(DownstreamHandler downstream, DownstreamIo io, ProxyResponseEncoder encoder,
            ConnectionInfo info, HttpRequest request, RequestTarget target, String host, Route route, Cluster cluster,
            Snapshot.RouteRuntime meters, CircuitBreaker breaker, long permit, String requestId, String clientIp,
            long startNanos, long maxBody, boolean hasBody) {
        this.downstream = downstream;
        this.io = io;
        this.encoder = encoder;
        this.info = info;
        this.request = request;
        this.target = target;
        this.host = host;
        this.route = route;
        this.cluster = cluster;
        this.meters = meters;
        this.breaker = breaker;
        this.permit = permit;
        if (meters.cache() != null && request.method() == HttpMethod.GET) {
            this.cacheKey = ResponseCache.key(request.method().name(), host == null ? "" : host, request.uri(),
                    request.headers(), route.fallback().cache().vary());
        }
        this.requestId = requestId;
        this.clientIp = clientIp;
        this.startNanos = startNanos;
        this.startMillis = System.currentTimeMillis();
        this.maxBody = maxBody;
        this.hasBody = hasBody;
        this.headRequest = request.method() == HttpMethod.HEAD;
        this.clientHttp10 = request.protocolVersion() == HttpVersion.HTTP_1_0;
        this.closeAfter = !HttpUtil.isKeepAlive(request);
        ResilienceConfig resilience = cluster.config().resilience();
        // Resolved from config objects that already exist: nothing is allocated per request.
        this.timeoutNanos = route.timeoutMillis() >= 0 ? TimeUnit.MILLISECONDS.toNanos(route.timeoutMillis())
                : resilience.perTryTimeout() != null ? resilience.perTryTimeout().toNanos()
                : RouteConfig.DEFAULT_TIMEOUT.toNanos();
        Duration idle = route.idleTimeout() != null ? route.idleTimeout() : resilience.idleTimeout();
        this.idleNanos = idle != null ? idle.toNanos() : timeoutNanos;
        this.connectMillis = route.connectTimeout() == null ? -1 : route.connectTimeout().toMillis();
        Duration total = route.totalTimeout() != null ? route.totalTimeout() : resilience.totalTimeout();
        this.deadlineNanos = total == null || total.isZero() ? Long.MAX_VALUE : startNanos + total.toNanos();
        ResilienceConfig.Retry policy = route.retry() != null ? route.retry() : resilience.retry();
        this.retry = policy.maxRetries() > 0 ? new RetryState(policy, cluster.retryBudget(), request) : null;
    }

    /**
     * Starts after a filter's delay: request parts arriving meanwhile wait in the exchange (reading pauses), and a
     * client that leaves cancels it.
     */
    /**
     * The request's filter chain: its response actions (CORS, security headers) apply to the response, and it is
     * told how the exchange ended.
     */
    void filterChain(FilterChain chain) {
        this.filterChain = chain;
    }

    void startAfter(UpstreamPools pools, long delayNanos) {
        if (delayNanos <= 0) {
            start(pools);
            return;
        }
        io.eventLoop().schedule(() -> {
            if (!finished) {
                start(pools);
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
    }

    void start(UpstreamPools pools) {
        this.pools = pools;
        if (!cluster.admit()) {
            meters.cluster().overflow();
            failLocal(ErrorReason.UPSTREAM_OVERFLOW, false);
            return;
        }
        admitted = true;
        if (cluster.hashing()) {
            hash = route.hashKey() == null ? RequestHash.NONE : RequestHash.of(route.hashKey(), request, target,
                    clientIp);
            if (hash == RequestHash.NONE) {
                hash = pools.randomHash(cluster);
            }
        }
        if (!pickEndpoint(null)) {
            return;
        }
        HttpHeaders headers = request.headers();
        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        ProxyHeaders.removeHopByHop(headers);
        if (chunked) {
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        String upstreamHost = route.hostRewrite() != null ? route.hostRewrite()
                : host != null ? host : endpoint.toString();
        headers.set(HttpHeaderNames.HOST, upstreamHost);
        ProxyHeaders.addForwarded(headers, clientIp, host, info.scheme(), clientHttp10, requestId);
        upstreamRequest = new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(),
                route.rewritePath(target.pathAndQuery()), headers);
        pools.pool(endpoint).acquire(this, connectMillis);
    }

    /**
     * Chooses the endpoint of the next try, a different one than {@code avoid} (the endpoint that just failed) when
     * the cluster offers one; answers 503 itself when the cluster has none.
     */
    private boolean pickEndpoint(UpstreamEndpoint avoid) {
        UpstreamEndpoint picked = pools.pick(cluster, hash, avoid);
        if (picked == null) {
            failLocal(ErrorReason.NO_HEALTHY_ENDPOINT, false);
            return false;
        }
        picked.startRequest();
        endpointDone = false;
        this.endpoint = picked;
        return true;
    }

    /**
     * After a failed try: starts another, after a backoff, if the policy, method, body, deadline and the cluster's
     * retry budget allow. The failed try's connection is dropped; request parts not yet sent stay pending.
     */
    private boolean tryRetry(boolean policyAllows) {
        if (retry == null || !policyAllows || finished || responseStarted) {
            return false;
        }
        if (!retry.mayRetry(bodySent, requestDone, System.nanoTime(), deadlineNanos, cluster.inFlight())) {
            return false;
        }
        timerRunning = false;
        if (connection != null) {
            connection.abort();
            connection = null;
        }
        UpstreamEndpoint failed = endpoint;
        endEndpointRequest();
        meters.cluster().retry();
        replaying = bodySent;
        long delay = retry.backoffNanos(ThreadLocalRandom.current());
        io.eventLoop().schedule(() -> {
            if (finished) {
                return;
            }
            if (System.nanoTime() >= deadlineNanos) {
                failLocal(ErrorReason.UPSTREAM_TIMEOUT, false);
                return;
            }
            if (pickEndpoint(failed)) {
                pools.pool(endpoint).acquire(this, connectMillis);
            }
        }, delay, TimeUnit.NANOSECONDS);
        return true;
    }

    @Override
    public void onAcquired(UpstreamConnection c, boolean reusedConnection) {
        c.bind(this);
        if (finished) {
            c.release(true); // the client went away while we connected; keep the fresh connection for others
            return;
        }
        connection = c;
        reused = reusedConnection;
        c.write(upstreamRequest);
        upstreamSentNanos = System.nanoTime();
        if (replaying) {
            // A retry after the previous try sent the request: resend the kept parts (the request is complete).
            retry.replayTo(c::write);
            c.flush();
            startTimer();
            return;
        }
        if (retried) {
            // Only body-less requests are retried: their end marker is all there is to resend.
            if (requestDone) {
                c.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                startTimer();
            }
            return;
        }
        HttpContent part;
        while (pending != null && (part = pending.poll()) != null) {
            send(part);
        }
        c.flush();
        if (requestDone) {
            startTimer();
        } else {
            downstream.resumeReading();
        }
    }

    @Override
    public void onAcquireFailed(Throwable cause) {
        if (finished) {
            return;
        }
        if (cause instanceof PoolExhaustedException) {
            meters.cluster().poolOverflow();
            failLocal(ErrorReason.UPSTREAM_POOL_EXHAUSTED, false);
            return;
        }
        meters.cluster().connectError();
        cluster.outlierResult(endpoint, OutlierDetector.Result.GATEWAY_FAILURE);
        if (!tryRetry(retry != null && retry.policy().onConnectFailure())) {
            failLocal(ErrorReason.UPSTREAM_CONNECT_FAILED, false);
        }
    }

    /** Writes a request part to the current try's connection, keeping it for replay when retries may need it. */
    private void send(HttpContent part) {
        if (retry != null) {
            retry.keep(part);
        }
        bodySent = true;
        connection.write(part);
    }

    void onRequestContent(HttpContent content) {
        if (finished) {
            content.release();
            return;
        }
        if (content.decoderResult().isFailure()) {
            Throwable cause = content.decoderResult().cause();
            content.release();
            failLocal(RequestValidator.reasonFor(cause), true);
            return;
        }
        bytesIn += content.content().readableBytes();
        if (bytesIn > maxBody) {
            content.release();
            failLocal(ErrorReason.BODY_TOO_LARGE, true);
            return;
        }
        boolean last = content instanceof LastHttpContent;
        if (last) {
            requestDone = true;
        }
        if (connection == null) {
            // Still connecting: hold the part; a body (not just its end) pauses the client until connected.
            if (pending == null) {
                pending = new ArrayDeque<>(4);
            }
            pending.add(content);
            if (!last) {
                downstream.pauseReading();
            }
            return;
        }
        send(content);
        if (last) {
            connection.flush();
            startTimer();
        } else if (!connection.isWritable()) {
            // Pause before flushing: a flush that drains the socket at once fires the writability event
            // synchronously, and that event must see (and undo) the pause, not precede it.
            downstream.pauseReading();
            connection.flush();
        }
    }

    /** Whether the client socket may be read for this exchange (the rest of its body, or the next request). */
    boolean acceptsRequestData() {
        return finished || requestDone || (connection != null && connection.isWritable());
    }

    void flushUpstream() {
        if (connection != null) {
            connection.flush();
        }
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        if (writable) {
            downstream.resumeReading();
        }
    }

    void onDownstreamWritabilityChanged(boolean writable) {
        if (connection != null) {
            connection.setAutoRead(writable);
        }
    }

    @Override
    public void onResponseHead(HttpResponse response) {
        int code = response.status().code();
        cluster.outlierResult(endpoint, code >= 500 ? OutlierDetector.Result.HTTP_5XX
                : OutlierDetector.Result.SUCCESS);
        if (retry != null && retry.policy().retriesStatus(code) && tryRetry(true)) {
            return; // the response is dropped with its connection
        }
        upstreamHeadNanos = System.nanoTime();
        lastUpstreamActivity = upstreamHeadNanos;
        status = code;
        if (timerRunning && idleNanos < timeoutNanos) {
            downstream.armResponseTimer(idleNanos); // the body's idle timeout is due before the per-try timer
        }
        HttpHeaders headers = response.headers();
        boolean upstreamChunked = HttpUtil.isTransferEncodingChunked(response);
        boolean hasLength = headers.contains(HttpHeaderNames.CONTENT_LENGTH);
        boolean bodyless = headRequest || status == 204 || status == 304;
        upstreamReusable = HttpUtil.isKeepAlive(response) && (hasLength || upstreamChunked || bodyless);
        ProxyHeaders.removeHopByHop(headers);
        ProxyHeaders.addToResponse(headers, response.protocolVersion() == HttpVersion.HTTP_1_0, requestId);
        if (downstream.context().draining()) {
            closeAfter = true;
        }
        if (!hasLength && !bodyless) {
            if (clientHttp10) {
                closeAfter = true; // no chunked for HTTP/1.0: the body ends when the connection does
            } else {
                headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
        } else if (!hasLength && headRequest && !clientHttp10) {
            // A HEAD answer carries the framing the GET would get through this gateway (RFC 9110 §9.3.2):
            // unknown length is re-framed as chunked. (Netty's decoder drops the backend's own TE for HEAD.)
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        if (closeAfter) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (clientHttp10) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        if (info.hsts() != null) {
            headers.set(ProxyHeaders.STRICT_TRANSPORT_SECURITY, info.hsts());
        }
        if (filterChain != null) {
            filterChain.applyResponseActions(headers);
        }
        if (cacheKey != null && status >= 200 && status < 300) {
            capture = new CacheCapture(status, headers, route.fallback().cache().maxEntryBytes());
        }
        if (encoder != null) {
            encoder.nextResponseIsHead(headRequest);
        }
        responseStarted = true;
        HttpVersion version = clientHttp10 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
        if (response instanceof FullHttpResponse) {
            // The upstream (HTTP/2) ended the stream with its headers, as gRPC's Trailers-Only errors do: the head
            // goes out with the end marker, in one piece, so an HTTP/2 client too sees one HEADERS frame.
            pendingHead = new DefaultHttpResponse(version, response.status(), headers);
            return;
        }
        io.write(new DefaultHttpResponse(version, response.status(), headers));
    }

    @Override
    public void onResponseContent(HttpContent content) {
        if (connection == null || finished) {
            content.release(); // the rest of a full response whose head was retried
            return;
        }
        lastUpstreamActivity = System.nanoTime();
        bytesOut += content.content().readableBytes();
        if (capture != null) {
            capture.add(content.content());
        }
        if (!(content instanceof LastHttpContent)) {
            io.write(content);
            if (!io.isWritable()) {
                connection.setAutoRead(false); // before the flush, for the same reason as request bodies
                io.flush();
            }
            return;
        }
        finished = true;
        cancelTimer();
        endExchange();
        reportBreaker(status >= 500);
        if (capture != null && capture.complete()) {
            meters.cache().put(cacheKey, capture.toResponse());
        }
        UpstreamConnection c = connection;
        connection = null;
        c.release(upstreamReusable && requestDone);
        Object last = content;
        if (pendingHead != null) {
            LastHttpContent end = (LastHttpContent) content;
            last = new DefaultFullHttpResponse(pendingHead.protocolVersion(), pendingHead.status(), end.content(),
                    pendingHead.headers(), end.trailingHeaders());
            pendingHead = null;
        }
        ChannelFuture written = io.writeAndFlush(last);
        log(null);
        downstream.exchangeDone(this, closeAfter || !requestDone, written);
    }

    @Override
    public void onResponseReadComplete() {
        io.flush();
    }

    @Override
    public void onUpstreamFailure(UpstreamFailure failure, Throwable cause) {
        connection = null;
        if (finished) {
            return;
        }
        if (!responseStarted) {
            if (failure == UpstreamFailure.RESET && reused && !retried && !hasBody) {
                // A pooled keep-alive connection the backend had already closed: try once on a fresh one.
                retried = true;
                pools.pool(endpoint).connect(this);
                return;
            }
            meters.cluster().reset();
            cluster.outlierResult(endpoint, OutlierDetector.Result.GATEWAY_FAILURE);
            if (tryRetry(retry != null && retry.policy().onReset())) {
                return;
            }
            failLocal(failure == UpstreamFailure.PROTOCOL_ERROR ? ErrorReason.UPSTREAM_PROTOCOL_ERROR
                    : ErrorReason.UPSTREAM_RESET, false);
            return;
        }
        meters.cluster().reset();
        abortDownstream(failure == UpstreamFailure.PROTOCOL_ERROR ? ErrorReason.UPSTREAM_PROTOCOL_ERROR
                : ErrorReason.UPSTREAM_RESET);
    }

    /** The gateway answers instead of the backend; the upstream connection, if any, is discarded. */
    private void failLocal(ErrorReason reason, boolean forceClose) {
        finished = true;
        cancelTimer();
        endExchange();
        reportBreaker(isUpstreamFailure(reason) ? Boolean.TRUE : null);
        if (connection != null) {
            connection.abort();
            connection = null;
        }
        status = reason.status().code();
        if (filterChain != null) {
            filterChain.complete(status, System.nanoTime() - startNanos);
        }
        // Keep the client connection only when nothing of the request is left unread but its end marker.
        boolean close = forceClose || (hasBody && !requestDone);
        downstream.exchangeFailed(this, reason, close || closeAfter, !requestDone);
    }

    /** The response has started and cannot be completed: close the client connection mid-message. */
    private void abortDownstream(ErrorReason reason) {
        finished = true;
        cancelTimer();
        endExchange();
        reportBreaker(isUpstreamFailure(reason) ? Boolean.TRUE : null);
        if (connection != null) {
            connection.abort();
            connection = null;
        }
        log(reason);
        downstream.abort(this);
    }

    /**
     * Shutdown began: how long this exchange may still take (the route's, else its cluster's drain timeout), or -1
     * to leave it to the server's drain timeout.
     */
    long drainNanos() {
        Duration d = route.drainTimeout() != null ? route.drainTimeout()
                : cluster.config().resilience().drainTimeout();
        return d == null ? -1 : d.toNanos();
    }

    /** The exchange outlived its drain timeout: answer 503, or cut the response short. */
    void onDrainTimeout() {
        if (finished) {
            return;
        }
        if (!responseStarted) {
            failLocal(ErrorReason.SHUTTING_DOWN, true);
        } else {
            abortDownstream(ErrorReason.SHUTTING_DOWN);
        }
    }

    void onDownstreamClosed() {
        if (finished) {
            return;
        }
        finished = true;
        cancelTimer();
        endExchange();
        reportBreaker(null);
        if (connection != null) {
            connection.abort();
            connection = null;
        }
        log(ErrorReason.CLIENT_CLOSED);
    }

    /** No bytes either way for the listener's idle timeout while this exchange was in flight. */
    void onDownstreamIdle() {
        if (!requestDone && !finished) {
            abortDownstream(ErrorReason.CLIENT_TIMEOUT);
        }
    }

    /** The route timeout runs from the end of the request; each upstream read restarts it. */
    private void startTimer() {
        lastUpstreamActivity = System.nanoTime();
        if (timeoutNanos > 0) {
            timerRunning = true;
            downstream.armResponseTimer(Math.max(1, Math.min(timeoutNanos, deadlineNanos - lastUpstreamActivity)));
        }
    }

    /** For the connection's timer: time left before this exchange times out, or {@code Long.MAX_VALUE}. */
    long timeoutRemainingNanos() {
        if (finished || !timerRunning) {
            return Long.MAX_VALUE;
        }
        long until = lastUpstreamActivity + (responseStarted ? idleNanos : timeoutNanos);
        if (!responseStarted && deadlineNanos < until) {
            until = deadlineNanos; // the total deadline bounds the wait for the head, not the body
        }
        return until - System.nanoTime();
    }

    void onTimeout() {
        if (finished) {
            return;
        }
        meters.cluster().timeout();
        if (!responseStarted) {
            cluster.outlierResult(endpoint, OutlierDetector.Result.GATEWAY_FAILURE);
            boolean perTryExpired = System.nanoTime() < deadlineNanos;
            if (!tryRetry(perTryExpired && retry != null && retry.policy().onTimeout())) {
                failLocal(ErrorReason.UPSTREAM_TIMEOUT, false);
            }
        } else {
            abortDownstream(ErrorReason.UPSTREAM_TIMEOUT);
        }
    }

    /** Failures of the backend or the way to it, as opposed to the client's or the request's. */
    private static boolean isUpstreamFailure(ErrorReason reason) {
        return switch (reason) {
            case UPSTREAM_CONNECT_FAILED, UPSTREAM_RESET, UPSTREAM_PROTOCOL_ERROR, UPSTREAM_TIMEOUT,
                    NO_HEALTHY_ENDPOINT, UPSTREAM_POOL_EXHAUSTED, UPSTREAM_OVERFLOW -> true;
            default -> false;
        };
    }

    /** Tells the breaker how the exchange went, once: failed, succeeded, or (null) no verdict. */
    private void reportBreaker(Boolean failed) {
        if (breaker == null || permit == CircuitBreaker.REJECTED) {
            return;
        }
        long p = permit;
        permit = CircuitBreaker.REJECTED;
        if (failed == null) {
            breaker.release(p);
        } else if (failed) {
            breaker.onFailure(p, System.nanoTime() - startNanos);
        } else {
            breaker.onSuccess(p, System.nanoTime() - startNanos);
        }
    }

    /** The exchange is over: its endpoint, cluster admission, kept body and retry budget share are released. */
    private void endExchange() {
        endEndpointRequest();
        if (admitted) {
            admitted = false;
            cluster.release();
        }
        if (retry != null) {
            retry.close();
        }
    }

    /** The endpoint stops counting this try as active (once; the exchange keeps the endpoint for its log). */
    private void endEndpointRequest() {
        if (endpoint != null && !endpointDone) {
            endpointDone = true;
            endpoint.endRequest();
        }
    }

    /** Stops the timeout and drops request parts that will never be sent. */
    private void cancelTimer() {
        timerRunning = false;
        HttpContent part;
        while (pending != null && (part = pending.poll()) != null) {
            part.release();
        }
    }

    HttpRequest request() {
        return request;
    }

    String requestId() {
        return requestId;
    }

    long startNanos() {
        return startNanos;
    }

    Route route() {
        return route;
    }

    /** The exchange ended with a relayed (possibly cut-off) response or none: metrics and access log. */
    private void log(ErrorReason error) {
        long now = System.nanoTime();
        if (filterChain != null) {
            filterChain.complete(responseStarted ? status : 0, now - startNanos);
        }
        long upstreamNanos = upstreamHeadNanos < 0 || upstreamSentNanos < 0 ? -1
                : upstreamHeadNanos - upstreamSentNanos;
        meters.route().record(responseStarted ? status : 0, now - startNanos, upstreamNanos, bytesIn, bytesOut);
        if (!downstream.context().accessLog().enabled()) {
            return;
        }
        downstream.context().accessLog().log(new AccessLogEntry(startMillis, requestId, clientIp,
                request.method().name(), target.path(), request.protocolVersion().text(), host, route.name(),
                endpoint == null ? null : endpoint.toString(), responseStarted ? status : 0,
                error == null ? null : error.name(), bytesIn, bytesOut, now - startNanos, upstreamNanos));
    }
}
