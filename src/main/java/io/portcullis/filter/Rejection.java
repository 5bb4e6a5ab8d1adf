package io.portcullis.filter;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A filter's answer instead of the backend's: a JSON error {@code {"status", "error", "request_id"}}, plus what the
 * answer needs beyond that.
 *
 * @param status  the HTTP status
 * @param error   a reason code, upper-case and JSON-safe ({@code INVALID_TOKEN}); also the metric's label
 * @param detail  a short explanation for the audit log, never a secret; null when the code says it all
 * @param headers response headers the answer carries ({@code WWW-Authenticate}, CORS), in order
 * @param details a JSON array or object added to the body as {@code "details"} (what a validator found), or null
 * @param filter  the filter that answered; set by the chain
 */
public record Rejection(int status, String error, String detail, List<Map.Entry<String, String>> headers,
        String details, String filter) {

    public Rejection {
        Objects.requireNonNull(error, "error");
        headers = headers == null ? List.of() : List.copyOf(headers);
    }

    public static Rejection of(int status, String error) {
        return new Rejection(status, error, null, List.of(), null, null);
    }

    public static Rejection of(int status, String error, String detail) {
        return new Rejection(status, error, detail, List.of(), null, null);
    }

    public Rejection withHeader(String name, String value) {
        List<Map.Entry<String, String>> more = new java.util.ArrayList<>(headers);
        more.add(Map.entry(name, value));
        return new Rejection(status, error, detail, more, details, filter);
    }

    /** @param detailsJson a JSON value written as the body's {@code "details"} */
    public Rejection withDetails(String detailsJson) {
        return new Rejection(status, error, detail, headers, detailsJson, filter);
    }

    Rejection withFilter(String name) {
        return new Rejection(status, error, detail, headers, details, name);
    }
}
