package io.portcullis.security;

import io.netty.handler.codec.http.HttpRequest;
import io.portcullis.filter.Filter;
import io.portcullis.filter.FilterChain;
import io.portcullis.security.cors.SecurityHeaders;

/**
 * Security response headers ({@code X-Content-Type-Options}, {@code X-Frame-Options}, ...) on every answer of the
 * route, the gateway's own refusals included. First in the chain, so even a request refused by the next filter
 * carries them.
 */
final class ResponseHeadersFilter implements Filter {
    private final SecurityHeaders headers;
    private final boolean tls;

    /** @param tls the listener terminates TLS (Strict-Transport-Security is only sent then) */
    ResponseHeadersFilter(SecurityHeaders headers, boolean tls) {
        this.headers = headers;
        this.tls = tls;
    }

    @Override
    public String name() {
        return "response_headers";
    }

    @Override
    public void onRequest(HttpRequest request, FilterChain chain) {
        chain.onResponse(response -> headers.applyTo(response, tls));
        chain.proceed();
    }
}
