package io.portcullis.security.cors;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * Adds a field name to a response's {@code Vary} without duplicating it. A response whose CORS headers depend on the
 * request's Origin must say so, or a shared cache hands one origin's answer (or a no-Origin answer without
 * Access-Control-Allow-Origin) to another origin.
 */
final class VaryHeader {
    private VaryHeader() {}

    static void add(HttpHeaders headers, String field) {
        for (String value : headers.getAll(HttpHeaderNames.VARY)) {
            for (String token : value.split(",")) {
                String name = token.strip();
                if (name.equals("*") || name.equalsIgnoreCase(field)) {
                    return;
                }
            }
        }
        headers.add(HttpHeaderNames.VARY, field);
    }
}
