package io.portcullis.server;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.portcullis.config.RouteConfig;
import io.portcullis.resilience.CachedResponse;
import io.portcullis.resilience.CircuitBreaker;
import io.portcullis.resilience.ResponseCache;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a request gets at once while its circuit breaker is open: the route's static response, the last good cached
 * response for the same GET (both marked {@code x-portcullis-fallback}), or 503 {@code CIRCUIT_OPEN} with a
 * {@code Retry-After} of the time left before the breaker probes again.
 */
final class Fallbacks {
    static final String MARKER = "x-portcullis-fallback";

    private Fallbacks() {
    }

    static FullHttpResponse answer(ByteBufAllocator alloc, HttpRequest request, String host,
            RouteConfig.Fallback fallback, ResponseCache cache, CircuitBreaker breaker, String requestId) {
        HttpVersion version = request.protocolVersion() == HttpVersion.HTTP_1_0 ? HttpVersion.HTTP_1_0
                : HttpVersion.HTTP_1_1;
        if (fallback != null && fallback.staticResponse() != null) {
            RouteConfig.Fallback.StaticResponse s = fallback.staticResponse();
            byte[] body = s.body().getBytes(StandardCharsets.UTF_8);
            FullHttpResponse r = new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(s.status()),
                    alloc.buffer(body.length).writeBytes(body));
            for (Map.Entry<String, String> h : s.headers()) {
                r.headers().add(h.getKey(), h.getValue());
            }
            return mark(r, "static", requestId, body.length);
        }
        if (fallback != null && fallback.cache() != null && cache != null && request.method() == HttpMethod.GET) {
            CachedResponse hit = cache.get(ResponseCache.key(request.method().name(), host == null ? "" : host,
                    request.uri(), request.headers(), fallback.cache().vary()));
            if (hit != null) {
                byte[] body = hit.body();
                FullHttpResponse r = new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(hit.status()),
                        alloc.buffer(body.length).writeBytes(body));
                for (Map.Entry<String, String> h : hit.headers()) {
                    r.headers().add(h.getKey(), h.getValue());
                }
                return mark(r, "cache", requestId, body.length);
            }
        }
        FullHttpResponse r = ErrorResponses.json(alloc, version, ErrorReason.CIRCUIT_OPEN, requestId, false);
        long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(breaker.remainingOpenNanos() + 999_999_999L));
        r.headers().set(HttpHeaderNames.RETRY_AFTER, seconds);
        return r;
    }

    private static FullHttpResponse mark(FullHttpResponse r, String kind, String requestId, int length) {
        r.headers().set(MARKER, kind)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, length)
                .set(ProxyHeaders.X_REQUEST_ID, requestId);
        r.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        return r;
    }
}
