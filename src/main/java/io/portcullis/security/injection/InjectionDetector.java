package io.portcullis.security.injection;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The injection filter's detection engine (request path: route → filter → here, before the upstream): scans a
 * path, a query string, a header value, a form body or a JSON body and returns the first {@link Finding}, or null
 * when everything looks like data. Each value is normalised ({@link Normalizer}) and then read by the XSS detector
 * and the SQL detector; the XSS check runs first because a script payload such as {@code '-alert(1)-'} is also
 * valid SQL, and the finding should name what the value is for.
 *
 * <p>Immutable and thread-safe; one instance serves every event loop. Every method takes the caller's bound on the
 * characters or bytes scanned, and each value costs time linear in its length. Values that need no decoding are
 * scanned in place without copying.
 */
public final class InjectionDetector {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final boolean sql;
    private final boolean xss;

    private InjectionDetector(Set<Finding.Kind> kinds) {
        this.sql = kinds.contains(Finding.Kind.SQLI);
        this.xss = kinds.contains(Finding.Kind.XSS);
    }

    /** A detector looking for every kind of injection. */
    public static InjectionDetector all() {
        return new InjectionDetector(EnumSet.allOf(Finding.Kind.class));
    }

    /** A detector looking only for {@code kinds} (a route may want XSS checks only, for example). */
    public static InjectionDetector of(Set<Finding.Kind> kinds) {
        Objects.requireNonNull(kinds, "kinds");
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("kinds must not be empty");
        }
        return new InjectionDetector(kinds);
    }

    /**
     * One value taken as a whole, such as a header value: percent-decoded, '+' kept as a plus (and read a second
     * time with '+' as a space when the value looks form-encoded, see {@link Normalizer#mayBeFormEncoded}).
     */
    public Finding scan(CharSequence value) {
        return scanValue(value, false);
    }

    /** Each segment of a raw (still percent-encoded) path, up to {@code maxChars} characters of it. */
    public Finding scanPath(CharSequence rawPath, int maxChars) {
        int limit = limit(rawPath.length(), maxChars);
        CharView view = new CharView();
        for (int start = 0; start < limit; ) {
            int end = indexOf(rawPath, '/', start, limit);
            if (end > start) {
                Finding finding = scanValue(view.over(rawPath, start, end), false);
                if (finding != null) {
                    return finding;
                }
            }
            start = end + 1;
        }
        return null;
    }

    /**
     * Every name and value of a raw query string (the part after '?', without it), up to {@code maxChars}
     * characters; '+' decodes to a space as in HTML forms.
     */
    public Finding scanQuery(CharSequence rawQuery, int maxChars) {
        int limit = limit(rawQuery.length(), maxChars);
        CharView view = new CharView();
        for (int start = 0; start < limit; ) {
            int end = indexOf(rawQuery, '&', start, limit);
            int eq = indexOf(rawQuery, '=', start, end);
            Finding finding = scanPart(view, rawQuery, start, eq);
            if (finding == null && eq < end) {
                finding = scanPart(view, rawQuery, eq + 1, end);
            }
            if (finding == null && eq < end && mayBeMarkup(rawQuery, start, eq)) {
                // ?<svg/onload=alert(1)> splits into a name and a value that are harmless apart, but a page
                // that echoes its query string shows them together
                finding = scanPart(view, rawQuery, start, end);
            }
            if (finding != null) {
                return finding;
            }
            start = end + 1;
        }
        return null;
    }

    /** An {@code application/x-www-form-urlencoded} body, up to {@code maxBytes} of it; the buffer is not changed. */
    public Finding scanForm(ByteBuf body, int maxBytes) {
        int length = limit(body.readableBytes(), maxBytes);
        return scanQuery(body.toString(body.readerIndex(), length, StandardCharsets.UTF_8), length);
    }

    /**
     * The string values and field names of a JSON body, up to {@code maxBytes} of it; numbers, booleans and nulls
     * cannot carry an injection and are skipped. The buffer is not changed. Scanning ends at the first syntax error
     * (or where {@code maxBytes} cuts the body): what came before was scanned, and whether to pass malformed JSON
     * at all is for the filter to decide, as the backend's parser will refuse it.
     */
    public Finding scanJson(ByteBuf body, int maxBytes) {
        int length = limit(body.readableBytes(), maxBytes);
        try (JsonParser parser = body.hasArray()
                ? JSON.createParser(body.array(), body.arrayOffset() + body.readerIndex(), length)
                : JSON.createParser((InputStream) new ByteBufInputStream(body.slice(body.readerIndex(), length)))) {
            CharView view = new CharView();
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == JsonToken.VALUE_STRING || token == JsonToken.FIELD_NAME) {
                    view.over(parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
                    Finding finding = scanValue(view, false);
                    if (finding != null) {
                        return finding;
                    }
                }
            }
        } catch (IOException malformedOrCut) {
            return null; // see the javadoc: the values before the error were scanned
        }
        return null;
    }

    private Finding scanPart(CharView view, CharSequence text, int start, int end) {
        return end > start ? scanValue(view.over(text, start, end), true) : null;
    }

    private Finding scanValue(CharSequence raw, boolean plusAsSpace) {
        Finding finding = scanDecoded(raw, plusAsSpace);
        if (finding == null && !plusAsSpace && Normalizer.mayBeFormEncoded(raw)) {
            // +%3Cimg+src%3Dx+onerror%3Dalert(1)%3E in a header or path: a backend that form-decodes it sees spaces
            finding = scanDecoded(raw, true);
        }
        return finding;
    }

    private Finding scanDecoded(CharSequence raw, boolean plusAsSpace) {
        CharSequence value = Normalizer.needsWork(raw, plusAsSpace) ? Normalizer.normalize(raw, plusAsSpace) : raw;
        if (xss) {
            String rule = XssDetector.detect(value);
            if (rule != null) {
                return new Finding(Finding.Kind.XSS, rule);
            }
        }
        if (sql) {
            String rule = SqlInjectionDetector.detect(value);
            if (rule != null) {
                return new Finding(Finding.Kind.SQLI, rule);
            }
        }
        return null;
    }

    private static boolean mayBeMarkup(CharSequence s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '<' || c == '\'' || c == '"' || c == '`' || c == '%') {
                return true;
            }
        }
        return false;
    }

    private static int limit(int length, int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max must be >= 0, was " + max);
        }
        return Math.min(length, max);
    }

    private static int indexOf(CharSequence s, char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return to;
    }
}
