package io.portcullis.upstream.health;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.portcullis.config.ClusterConfig;
import java.util.Objects;

/**
 * An HTTP check: {@code GET path} with {@code Connection: close} on a fresh connection; the endpoint passes when the
 * final response status is expected. The check is decided on the response head; the body is read and dropped so
 * the backend sees an orderly close rather than a reset, and the connection closes at its end.
 */
final class HttpProbe implements Probe {
    static final String USER_AGENT = "portcullis-health-check";

    private final ClusterConfig.Http http;
    private final String host;

    /** @param host the Host header: the configured one, else the endpoint's {@code host:port} */
    HttpProbe(ClusterConfig.Http http, String host) {
        this.http = Objects.requireNonNull(http, "http");
        this.host = Objects.requireNonNull(host, "host");
    }

    @Override
    public void install(ChannelPipeline pipeline, Outcome outcome) {
        // Health endpoints answer small heads; the limits only guard the checker against a confused backend.
        pipeline.addLast("codec", new HttpClientCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(8192)
                .setMaxHeaderSize(64 * 1024)
                .setMaxChunkSize(64 * 1024)
                .setValidateHeaders(true), false, false));
        pipeline.addLast("http-check", new Handler(outcome));
    }

    private FullHttpRequest request() {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, http.path(),
                Unpooled.EMPTY_BUFFER);
        request.headers()
                .set(HttpHeaderNames.HOST, host)
                .set(HttpHeaderNames.USER_AGENT, USER_AGENT)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return request;
    }

    /** One exchange on one connection; releases every decoded part (SimpleChannelInboundHandler's auto-release). */
    private final class Handler extends SimpleChannelInboundHandler<HttpObject> {
        private final Outcome outcome;
        private boolean skippingInterim;

        Handler(Outcome outcome) {
            this.outcome = outcome;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(request()).addListener(f -> {
                if (!f.isSuccess()) {
                    outcome.fail("request failed: " + Reasons.of(f.cause()));
                    ctx.close();
                }
            });
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg.decoderResult().isFailure()) {
                outcome.fail("invalid response: " + Reasons.of(msg.decoderResult().cause()));
                ctx.close();
                return;
            }
            if (msg instanceof HttpResponse response) {
                int status = response.status().code();
                // Interim responses (100 Continue, 103 Early Hints) precede the final one; 101 would be an upgrade
                // the check never asked for, so it counts as a final (unexpected) status.
                skippingInterim = status >= 100 && status < 200 && status != 101;
                if (!skippingInterim) {
                    if (http.expected(status)) {
                        outcome.pass("status " + status);
                    } else {
                        outcome.fail("status " + status + " not in expected statuses");
                    }
                }
            }
            if (msg instanceof LastHttpContent) {
                if (skippingInterim) {
                    skippingInterim = false;
                } else {
                    ctx.close();
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            outcome.fail("read failed: " + Reasons.of(cause));
            ctx.close();
        }
    }
}
