package io.portcullis.security;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.portcullis.filter.Filter;
import io.portcullis.filter.FilterChain;
import io.portcullis.filter.Rejection;
import io.portcullis.security.validate.AllowedMethods;
import io.portcullis.security.validate.BodyVerdict;
import io.portcullis.security.validate.ContentTypes;
import io.portcullis.security.validate.JsonBodyCheck;
import io.portcullis.security.validate.QueryRules;
import io.portcullis.security.validate.Violation;
import io.portcullis.security.validate.Violations;
import java.util.List;

/**
 * Request shape: allowed methods (405 with {@code Allow}), the body's content type (415), query parameter rules
 * (400), and for JSON bodies nesting depth, size and a JSON Schema (400 when malformed or too deep, 413, 422 when
 * the schema refuses). Every refusal lists what was wrong in {@code "details"}. The body is read in full only for
 * requests with a JSON body on a route that checks bodies.
 */
final class ValidateFilter implements Filter {
    private final AllowedMethods methods;
    private final ContentTypes contentTypes;
    private final QueryRules query;
    /** Null when bodies are not checked. */
    private final JsonBodyCheck body;
    private final long maxJsonBytes;

    /** @param maxJsonBytes the largest JSON body read (413 beyond) */
    ValidateFilter(AllowedMethods methods, ContentTypes contentTypes, QueryRules query, JsonBodyCheck body,
            long maxJsonBytes) {
        this.maxJsonBytes = maxJsonBytes;
        this.methods = methods;
        this.contentTypes = contentTypes;
        this.query = query;
        this.body = body;
    }

    @Override
    public String name() {
        return "validate";
    }

    @Override
    public void onRequest(HttpRequest request, FilterChain chain) {
        if (!methods.allows(request.method())) {
            chain.reject(refusal(405, "METHOD_NOT_ALLOWED", methods.check(request.method()))
                    .withHeader(HttpHeaderNames.ALLOW.toString(), methods.allowHeader()));
            return;
        }
        List<Violation> wrong = contentTypes.check(request.headers(), hasBody(request));
        if (!wrong.isEmpty()) {
            chain.reject(refusal(415, "UNSUPPORTED_MEDIA_TYPE", wrong));
            return;
        }
        wrong = query.checkUri(request.uri());
        if (!wrong.isEmpty()) {
            chain.reject(refusal(400, "INVALID_QUERY", wrong));
            return;
        }
        chain.proceed();
    }

    @Override
    public boolean needsBody(HttpRequest request) {
        if (body == null) {
            return false;
        }
        String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
        // No type: a body is refused above when types are configured; otherwise only typed JSON is parsed.
        return type != null ? ContentTypes.isJson(type) : hasBody(request) || expectsBody(request.method());
    }

    @Override
    public long bodyLimit(HttpRequest request) {
        return maxJsonBytes;
    }

    @Override
    public void onBody(HttpRequest request, ByteBuf content, FilterChain chain) {
        BodyVerdict verdict = body.check(content);
        if (verdict.valid()) {
            chain.proceed();
            return;
        }
        chain.reject(refusal(verdict.outcome().status(), verdict.outcome().error(), verdict.violations()));
    }

    private static Rejection refusal(int status, String error, List<Violation> violations) {
        String first = violations.isEmpty() ? null : violations.get(0).where() + " " + violations.get(0).what();
        return Rejection.of(status, error, first).withDetails(Violations.toJson(violations));
    }

    private static boolean hasBody(HttpRequest request) {
        return HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
    }

    private static boolean expectsBody(HttpMethod method) {
        return method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH;
    }
}
