package io.portcullis.security.validate;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A route's Content-Type allowlist: the check behind 415 Unsupported Media Type, run by the validation filter on the
 * request head, before the body is read.
 *
 * <p>Entries are media types ({@code application/json}), ranges ({@code text/*}, {@code *}{@code /*}) or structured
 * suffix ranges ({@code application/*+json}). Matching ignores case and the header's parameters
 * ({@code ; charset=utf-8}). A request with a body must say what it is: when an allowlist is set, a missing
 * Content-Type is refused rather than sniffed, and so are two Content-Type fields (which backends resolve
 * differently). A request without a body is never refused here. {@link #any()} is the switched-off allowlist.
 *
 * <p>Immutable and thread-safe.
 */
public final class ContentTypes {

    private static final ContentTypes ANY = new ContentTypes(List.of());
    private static final String WHERE = "header.content-type";

    private final List<MediaRange> ranges;
    private final String described;

    private ContentTypes(List<MediaRange> ranges) {
        this.ranges = List.copyOf(ranges);
        this.described = ranges.stream().map(MediaRange::toString).collect(Collectors.joining(", "));
    }

    /** No allowlist: every content type, and none, is accepted. */
    public static ContentTypes any() {
        return ANY;
    }

    /** An allowlist of at least one entry; a malformed entry is an {@link IllegalArgumentException} naming it. */
    public static ContentTypes of(Collection<String> entries) {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("content_types must list at least one type (or be left out)");
        }
        List<MediaRange> ranges = new ArrayList<>(entries.size());
        for (String entry : entries) {
            ranges.add(MediaRange.parse(entry));
        }
        return new ContentTypes(ranges);
    }

    /** {@link #of(Collection)} for literals. */
    public static ContentTypes of(String... entries) {
        return of(List.of(entries));
    }

    /** True when this is {@link #any()}. */
    public boolean acceptsAll() {
        return ranges.isEmpty();
    }

    /** Whether one Content-Type value is allowed; null or unparseable is allowed only by {@link #any()}. */
    public boolean allows(CharSequence contentType) {
        if (ranges.isEmpty()) {
            return true;
        }
        MediaType media = MediaType.parse(contentType);
        return media != null && allows(media);
    }

    /**
     * Checks a request's Content-Type fields.
     *
     * @param hasBody whether the request has a body (a Content-Length above 0 or chunked framing)
     * @return no violations, or one for {@code header.content-type}
     */
    public List<Violation> check(HttpHeaders headers, boolean hasBody) {
        if (ranges.isEmpty() || !hasBody) {
            return List.of();
        }
        List<String> values = headers.getAll(HttpHeaderNames.CONTENT_TYPE);
        if (values.isEmpty()) {
            return List.of(new Violation(WHERE, "is required for a request with a body; allowed: " + described,
                    "missing"));
        }
        if (values.size() > 1) {
            return List.of(new Violation(WHERE, "must be sent once, was sent " + values.size() + " times",
                    "repeated"));
        }
        MediaType media = MediaType.parse(values.get(0));
        if (media == null) {
            return List.of(new Violation(WHERE, "is not a media type; allowed: " + described, "malformed"));
        }
        if (!allows(media)) {
            return List.of(new Violation(WHERE, media + " is not allowed; allowed: " + described, "unsupported"));
        }
        return List.of();
    }

    /** Whether a Content-Type is JSON ({@code application/json} or {@code …+json}), ignoring parameters. */
    public static boolean isJson(CharSequence contentType) {
        MediaType media = MediaType.parse(contentType);
        return media != null && media.isJson();
    }

    @Override
    public String toString() {
        return ranges.isEmpty() ? "ContentTypes[any]" : "ContentTypes[" + described + "]";
    }

    private boolean allows(MediaType media) {
        for (MediaRange range : ranges) {
            if (range.matches(media)) {
                return true;
            }
        }
        return false;
    }
}
