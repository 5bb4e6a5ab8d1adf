package io.portcullis.filter;

import io.netty.handler.codec.http.HttpRequest;

/**
 * One step of a route's request path between routing and the upstream (Envoy's HTTP filter, OkHttp's interceptor).
 * Built once per config snapshot, shared by every event loop: implementations keep only immutable state and
 * thread-safe helpers.
 */
public interface Filter {

    /** Names the filter in errors and logs. */
    String name();

    /**
     * Decides about one request, on its event loop, before anything of it reaches a backend. Must call exactly one
     * of {@link FilterChain#proceed()}, {@link FilterChain#proceedAfter(long)} or {@link FilterChain#respond} before
     * returning; the chain fails with the filter's name otherwise.
     */
    void onRequest(HttpRequest request, FilterChain chain);
}
