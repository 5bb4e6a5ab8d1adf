package io.portcullis.server;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.portcullis.config.RouteConfig.HashKey;
import io.portcullis.upstream.lb.Hashing;
import java.util.List;

/**
 * The hash a ring_hash or Maglev cluster places a request by, taken from the part of the request its route's
 * {@code hash_key} names. Values are hashed as they arrive (a query parameter is not percent-decoded), so the
 * same bytes always reach the same endpoint.
 */
final class RequestHash {
    /** The request lacks the value; it is then spread at random. */
    static final long NONE = 0;

    private RequestHash() {
    }

    static long of(HashKey key, HttpRequest request, RequestTarget target, String clientIp) {
        CharSequence value = switch (key.source()) {
            case HEADER -> request.headers().get(key.name());
            case COOKIE -> cookie(request.headers().getAll(HttpHeaderNames.COOKIE), key.name());
            case CLIENT_ADDRESS -> clientIp;
            case PATH -> target.path();
            case QUERY_PARAM -> queryParam(target.pathAndQuery(), key.name());
        };
        if (value == null) {
            return NONE;
        }
        long h = Hashing.hash(value);
        return h == NONE ? 1 : h;
    }

    /** The value of the first cookie called {@code name} in any Cookie field (RFC 6265 {@code a=1; b=2}). */
    static String cookie(List<String> fields, String name) {
        for (String field : fields) {
            int i = 0;
            int n = field.length();
            while (i < n) {
                while (i < n && (field.charAt(i) == ' ' || field.charAt(i) == ';')) {
                    i++;
                }
                int end = field.indexOf(';', i);
                if (end < 0) {
                    end = n;
                }
                int eq = field.indexOf('=', i);
                if (eq > 0 && eq < end && eq - i == name.length() && field.regionMatches(i, name, 0, name.length())) {
                    return unquote(field.substring(eq + 1, end).trim());
                }
                i = end + 1;
            }
        }
        return null;
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"'
                ? v.substring(1, v.length() - 1) : v;
    }

    /** The raw value of the first {@code name} parameter of the query, or null; {@code ?a} has the value "". */
    static String queryParam(String pathAndQuery, String name) {
        int q = pathAndQuery.indexOf('?');
        if (q < 0) {
            return null;
        }
        int i = q + 1;
        int n = pathAndQuery.length();
        while (i <= n) {
            int end = pathAndQuery.indexOf('&', i);
            if (end < 0) {
                end = n;
            }
            int eq = pathAndQuery.indexOf('=', i);
            int keyEnd = eq >= 0 && eq < end ? eq : end;
            if (keyEnd - i == name.length() && pathAndQuery.regionMatches(i, name, 0, name.length())) {
                return keyEnd == end ? "" : pathAndQuery.substring(eq + 1, end);
            }
            i = end + 1;
        }
        return null;
    }
}
