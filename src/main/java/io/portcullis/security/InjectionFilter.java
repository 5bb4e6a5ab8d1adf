package io.portcullis.security;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.portcullis.config.PolicyConfig;
import io.portcullis.filter.Filter;
import io.portcullis.filter.FilterChain;
import io.portcullis.filter.Rejection;
import io.portcullis.security.injection.Finding;
import io.portcullis.security.injection.InjectionDetector;
import java.util.List;
import java.util.Locale;

/**
 * SQL injection and XSS: scans the path, the query, the configured headers and, for form and JSON bodies, the body
 * (read in full; scanned up to {@code max_body} bytes). In {@code block} mode a finding answers 403
 * {@code INJECTION_DETECTED}; in {@code detect} mode it is logged and counted and the request goes on.
 */
final class InjectionFilter implements Filter {
    /** Longest path or query scanned; the listener's request-line limit bounds them anyway. */
    private static final int MAX_TARGET = 16 * 1024;
    private static final int MAX_HEADER = 8 * 1024;

    private final InjectionDetector detector = InjectionDetector.all();
    private final boolean block;
    private final List<String> headers;
    private final int maxBody;

    InjectionFilter(PolicyConfig.Injection config) {
        this.block = config.mode() == PolicyConfig.Injection.Mode.BLOCK;
        this.headers = config.headers();
        this.maxBody = (int) Math.min(Integer.MAX_VALUE, config.maxBody());
    }

    @Override
    public String name() {
        return "injection";
    }

    @Override
    public void onRequest(HttpRequest request, FilterChain chain) {
        String uri = request.uri();
        int q = uri.indexOf('?');
        Finding found = detector.scanPath(q < 0 ? uri : uri.substring(0, q), MAX_TARGET);
        String where = "path";
        if (found == null && q >= 0) {
            found = detector.scanQuery(uri.substring(q + 1), MAX_TARGET);
            where = "query";
        }
        for (int i = 0; found == null && i < headers.size(); i++) {
            for (String value : request.headers().getAll(headers.get(i))) {
                found = detector.scan(value.length() > MAX_HEADER ? value.substring(0, MAX_HEADER) : value);
                if (found != null) {
                    where = "header " + headers.get(i);
                    break;
                }
            }
        }
        decide(chain, found, where);
    }

    @Override
    public boolean needsBody(HttpRequest request) {
        return maxBody > 0 && bodyKind(request) != null
                && (HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0);
    }

    @Override
    public void onBody(HttpRequest request, ByteBuf body, FilterChain chain) {
        Finding found = "form".equals(bodyKind(request)) ? detector.scanForm(body, maxBody)
                : detector.scanJson(body, maxBody);
        decide(chain, found, "body");
    }

    private void decide(FilterChain chain, Finding found, String where) {
        if (found == null) {
            chain.proceed();
            return;
        }
        String detail = found.kind().name().toLowerCase(Locale.ROOT) + " in " + where + " (" + found.rule() + ")";
        if (block) {
            chain.reject(Rejection.of(403, "INJECTION_DETECTED", detail));
        } else {
            chain.report(found.kind().name(), detail);
            chain.proceed();
        }
    }

    /** {@code form}, {@code json}, or null for a body this filter does not read. */
    private static String bodyKind(HttpRequest request) {
        String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (type == null) {
            return null;
        }
        String media = type.toLowerCase(Locale.ROOT);
        if (media.startsWith("application/x-www-form-urlencoded")) {
            return "form";
        }
        int semicolon = media.indexOf(';');
        String base = (semicolon < 0 ? media : media.substring(0, semicolon)).trim();
        return base.equals("application/json") || base.endsWith("+json") ? "json" : null;
    }
}
