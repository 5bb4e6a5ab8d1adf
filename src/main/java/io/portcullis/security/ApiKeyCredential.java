package io.portcullis.security;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.portcullis.config.SecurityConfig;
import java.nio.charset.StandardCharsets;

/**
 * Finds an API key in a request (the header, else the query parameter) and removes it, so the key never reaches a
 * backend or its logs.
 */
final class ApiKeyCredential {
    private ApiKeyCredential() {
    }

    /** The key, taken out of the request; null when it carries none. */
    static String take(HttpRequest request, SecurityConfig.ApiKeys config) {
        String key = request.headers().get(config.header());
        if (key != null) {
            request.headers().remove(config.header());
            return key.trim();
        }
        if (config.queryParam() == null) {
            return null;
        }
        String uri = request.uri();
        int q = uri.indexOf('?');
        if (q < 0) {
            return null;
        }
        String found = null;
        StringBuilder kept = new StringBuilder(uri.length()).append(uri, 0, q);
        char separator = '?';
        int start = q + 1;
        while (start <= uri.length()) {
            int amp = uri.indexOf('&', start);
            int end = amp < 0 ? uri.length() : amp;
            String pair = uri.substring(start, end);
            int eq = pair.indexOf('=');
            String name = QueryStringDecoder.decodeComponent(eq < 0 ? pair : pair.substring(0, eq),
                    StandardCharsets.UTF_8);
            if (name.equals(config.queryParam())) {
                if (found == null && eq >= 0) {
                    found = QueryStringDecoder.decodeComponent(pair.substring(eq + 1), StandardCharsets.UTF_8);
                }
            } else if (!pair.isEmpty()) {
                kept.append(separator).append(pair);
                separator = '&';
            }
            start = end + 1;
        }
        if (found != null) {
            request.setUri(kept.toString());
        }
        return found;
    }
}
