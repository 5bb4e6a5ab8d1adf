package io.portcullis.security;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.portcullis.filter.Filter;
import io.portcullis.filter.FilterChain;
import io.portcullis.filter.Rejection;
import io.portcullis.security.cors.CorsPolicy;
import io.portcullis.security.cors.Preflight;
import java.util.Map;

/**
 * CORS: answers preflights itself (204 with the grant, or 403 {@code CORS_*}), before authentication, since
 * browsers send preflights without credentials; decorates the response to every other request with the policy's
 * grant for its origin.
 */
final class CorsFilter implements Filter {
    private final CorsPolicy policy;

    CorsFilter(CorsPolicy policy) {
        this.policy = policy;
    }

    @Override
    public String name() {
        return "cors";
    }

    @Override
    public void onRequest(HttpRequest request, FilterChain chain) {
        if (CorsPolicy.isPreflight(request.method(), request.headers())) {
            switch (policy.preflight(request.headers())) {
                case Preflight.Allowed allowed -> {
                    Rejection answer = Rejection.of(204, "CORS_PREFLIGHT");
                    for (Map.Entry<String, String> h : allowed.headers()) {
                        answer = answer.withHeader(h.getKey(), h.getValue());
                    }
                    chain.reject(answer);
                }
                case Preflight.Refused refused -> chain.reject(Rejection.of(403, refused.reason().error(),
                        refused.message()));
            }
            return;
        }
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        chain.onResponse(response -> policy.addResponseHeaders(origin, response));
        chain.proceed();
    }
}
