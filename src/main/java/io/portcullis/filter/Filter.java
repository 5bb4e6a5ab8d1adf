package io.portcullis.filter;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpRequest;

/**
 * One step of a route's request path between routing and the upstream (Envoy's HTTP filter, OkHttp's interceptor).
 * Built once per config snapshot, shared by every event loop: implementations keep only immutable state and
 * thread-safe helpers.
 */
public interface Filter {

    /** Names the filter in errors, metrics and audit lines. */
    String name();

    /**
     * Decides about one request, on its event loop, before anything of it reaches a backend. Must call exactly one
     * of {@link FilterChain#proceed()}, {@link FilterChain#proceedAfter(long)}, {@link FilterChain#respond},
     * {@link FilterChain#reject} or {@link FilterChain#await} before returning; the chain fails with the filter's
     * name otherwise.
     */
    void onRequest(HttpRequest request, FilterChain chain);

    /**
     * True when the filter must see the whole body of this request (which passed every filter's head check). The
     * gateway then reads it in full, up to the route's body limit, before anything goes upstream, so only filters
     * that cannot work on a stream say so, and only for the requests they inspect.
     */
    default boolean needsBody(HttpRequest request) {
        return false;
    }

    /**
     * The largest body this filter will read for {@code request}, when it {@linkplain #needsBody needs} it: a body
     * that grows past it is answered with 413 before it is read further. The route's body limit applies anyway.
     */
    default long bodyLimit(HttpRequest request) {
        return Long.MAX_VALUE;
    }

    /**
     * Decides about the request's body, read in full, after every filter passed the head; only called when
     * {@link #needsBody} said so; the body may be empty. The same contract as {@link #onRequest}; {@code body} is
     * the caller's (read it, don't release or keep it).
     */
    default void onBody(HttpRequest request, ByteBuf body, FilterChain chain) {
        chain.proceed();
    }
}
