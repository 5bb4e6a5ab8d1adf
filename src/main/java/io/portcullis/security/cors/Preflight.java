package io.portcullis.security.cors;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The gateway's answer to a CORS preflight ({@link CorsPolicy#preflight}): either the exact headers of a successful
 * answer (sent with 204 No Content; the preflight never reaches the upstream) or a refusal (answered 403, with no
 * CORS headers, so the browser blocks the actual request).
 */
public sealed interface Preflight permits Preflight.Allowed, Preflight.Refused {

    /** True for {@link Allowed}. */
    boolean allowed();

    /** The preflight may proceed: send these headers, in this order, on a 204. */
    record Allowed(List<Map.Entry<String, String>> headers) implements Preflight {
        public Allowed {
            headers = List.copyOf(headers);
        }

        @Override
        public boolean allowed() {
            return true;
        }

        /** Sets every header on {@code response} (replacing same-named ones). */
        public void applyTo(HttpHeaders response) {
            for (Map.Entry<String, String> header : headers) {
                response.set(header.getKey(), header.getValue());
            }
        }

        /** The value of one header (case-insensitive name), or null; for tests and logs. */
        public String get(CharSequence name) {
            for (Map.Entry<String, String> header : headers) {
                if (header.getKey().equalsIgnoreCase(name.toString())) {
                    return header.getValue();
                }
            }
            return null;
        }
    }

    /** The preflight is refused; {@code message} says which origin, method or header, for the 403 body. */
    record Refused(CorsRefusal reason, String message) implements Preflight {
        public Refused {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
        }

        @Override
        public boolean allowed() {
            return false;
        }
    }
}
