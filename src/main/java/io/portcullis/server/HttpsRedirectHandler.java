package io.portcullis.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The whole of a redirect-to-HTTPS listener: every request gets {@code 308 Permanent Redirect} to the same host and
 * path on the HTTPS port (308 keeps the method and body, unlike 301). Nothing is proxied. A request without a
 * usable {@code Host} gets 400, since there is nowhere to send it.
 */
final class HttpsRedirectHandler extends ChannelInboundHandlerAdapter {
    private final int httpsPort;

    HttpsRedirectHandler(int httpsPort) {
        this.httpsPort = httpsPort;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!(msg instanceof HttpRequest request)) {
                return; // bodies are not needed and dropped
            }
            String host = request.decoderResult().isSuccess() ? hostOnly(request.headers().get(HttpHeaderNames.HOST))
                    : null;
            RequestTarget target = host == null ? null : RequestTarget.parse(request.uri());
            FullHttpResponse response;
            if (target == null || !target.pathAndQuery().startsWith("/")) {
                response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST,
                        Unpooled.EMPTY_BUFFER);
            } else {
                response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.PERMANENT_REDIRECT,
                        Unpooled.EMPTY_BUFFER);
                response.headers().set(HttpHeaderNames.LOCATION, "https://" + host
                        + (httpsPort == 443 ? "" : ":" + httpsPort) + target.pathAndQuery());
            }
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            boolean hasBody = HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
            if (hasBody || !request.decoderResult().isSuccess()) {
                // The body is not read: the connection cannot be reused after it.
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            } else {
                HttpUtil.setKeepAlive(response, HttpUtil.isKeepAlive(request));
                ctx.writeAndFlush(response);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** The host of a Host header without its port, or null when it is missing or not a plain host name. */
    static String hostOnly(String hostHeader) {
        if (hostHeader == null || hostHeader.isEmpty()) {
            return null;
        }
        String host = hostHeader;
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? null : valid(host.substring(0, end + 1), true);
        }
        int colon = host.indexOf(':');
        return valid(colon < 0 ? host : host.substring(0, colon), false);
    }

    private static String valid(String host, boolean ipv6) {
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-'
                    || ipv6 && (c == ':' || c == '[' || c == ']');
            if (!ok) {
                return null;
            }
        }
        return host.isEmpty() ? null : host;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent || evt == StrictRequestDecoder.HEADER_READ_TIMEOUT) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
