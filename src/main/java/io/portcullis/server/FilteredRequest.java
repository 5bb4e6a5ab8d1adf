package io.portcullis.server;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.portcullis.filter.FilterChain;
import io.portcullis.route.Route;
import io.portcullis.upstream.Cluster;
import java.util.ArrayDeque;

/**
 * A routed request whose filters have not let it through yet: one waits for something (a key fetch), or needs the
 * whole body, which is read here up to the route's limit. Everything the exchange will need is kept until then,
 * so the request continues exactly as if the filters had decided at once.
 *
 * <p>Only requests with such filters get one; confined to the connection's event loop.
 */
final class FilteredRequest {
    final HttpRequest request;
    final RequestTarget target;
    /** The URI as routed, before filters ran. */
    private final String uri;
    final String host;
    final Route route;
    final Cluster cluster;
    final Snapshot snapshot;
    final Snapshot.RouteRuntime runtime;
    final String requestId;
    final long startNanos;
    final long maxBody;
    final boolean hasBody;
    final FilterChain chain;
    /** The client asked for 100-continue and has not been invited yet. */
    boolean sendContinue;
    /** Parts that arrived while the filters waited, in order; replayed into the exchange. */
    private ArrayDeque<HttpContent> held;
    /** The body read in full for filters that need it, or null while not collecting. */
    private CompositeByteBuf body;
    private HttpHeaders trailers;
    private boolean lastSeen;
    /** The most the filters that read the body will take (the route's limit, or less). */
    private long collectLimit;

    FilteredRequest(HttpRequest request, RequestTarget target, String host, Route route, Cluster cluster,
            Snapshot snapshot, Snapshot.RouteRuntime runtime, String requestId, long startNanos, long maxBody,
            boolean hasBody, boolean sendContinue, FilterChain chain) {
        this.request = request;
        this.target = target;
        this.uri = request.uri();
        this.host = host;
        this.route = route;
        this.cluster = cluster;
        this.snapshot = snapshot;
        this.runtime = runtime;
        this.requestId = requestId;
        this.startNanos = startNanos;
        this.maxBody = maxBody;
        this.hasBody = hasBody;
        this.sendContinue = sendContinue;
        this.chain = chain;
    }

    /** The request target as filters left it: re-read when one changed the URI (an API key taken out). */
    RequestTarget currentTarget() {
        return request.uri().equals(uri) ? target : RequestTarget.parse(request.uri());
    }

    /** Starts reading the body in full: parts from now on are gathered rather than held. */
    void collect(ByteBufAllocator alloc) {
        collectLimit = Math.min(maxBody, chain.bodyLimit());
        body = alloc.compositeBuffer(64);
        HttpContent part;
        while (held != null && (part = held.poll()) != null) {
            add(part);
        }
    }

    boolean collecting() {
        return body != null;
    }

    /**
     * Takes one part of the request. Returns false when the body grew past the limit (nothing is kept then; the
     * caller answers 413).
     */
    boolean add(HttpContent part) {
        if (part instanceof LastHttpContent last) {
            lastSeen = true;
            if (!last.trailingHeaders().isEmpty()) {
                trailers = last.trailingHeaders();
            }
        }
        if (body == null) {
            if (held == null) {
                held = new ArrayDeque<>(4);
            }
            held.add(part);
            return true;
        }
        if (part.content().isReadable()) {
            body.addComponent(true, part.content().retain());
        }
        part.release();
        return body.readableBytes() <= collectLimit;
    }

    /** The whole request has been read. */
    boolean complete() {
        return lastSeen || !hasBody;
    }

    CompositeByteBuf body() {
        return body;
    }

    /** Hands what was read to the exchange: the gathered body as one last part, or the held parts in order. */
    void replayInto(ProxyExchange exchange) {
        if (body != null) {
            CompositeByteBuf all = body;
            body = null;
            LastHttpContent last = new io.netty.handler.codec.http.DefaultLastHttpContent(all);
            if (trailers != null) {
                last.trailingHeaders().set(trailers);
            }
            exchange.onRequestContent(last);
            return;
        }
        HttpContent part;
        while (held != null && (part = held.poll()) != null) {
            exchange.onRequestContent(part);
        }
    }

    /** Drops what was read: the request is answered locally or the connection went away. */
    void release() {
        if (body != null) {
            body.release();
            body = null;
        }
        HttpContent part;
        while (held != null && (part = held.poll()) != null) {
            part.release();
        }
    }
}
