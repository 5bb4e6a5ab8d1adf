package io.portcullis.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one aggregated admin request: matches the path (query ignored), checks the method, asks the
 * {@link AdminModel}, and writes a response with a Content-Length. Last in the admin pipeline after
 * {@code HttpServerCodec} and {@code HttpObjectAggregator}; one instance per connection.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_TYPE = HttpHeaderValues.APPLICATION_JSON.toString();

    static final String LIVE = "/health/live";
    static final String READY = "/health/ready";
    static final String CLUSTERS = "/clusters";
    static final String CONFIG = "/config";
    static final String METRICS = "/metrics";
    static final String ANOMALIES = "/anomalies";
    private static final Set<String> PATHS = Set.of(LIVE, READY, CLUSTERS, CONFIG, METRICS, ANOMALIES);
    static final String ALLOW = "GET, HEAD";

    private final AdminModel model;

    private record Answer(HttpResponseStatus status, String contentType, byte[] body) {
    }

    AdminHandler(AdminModel model) {
        this.model = model;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            respond(ctx, request, error(HttpResponseStatus.BAD_REQUEST, "BAD_REQUEST"), false);
            return;
        }
        String path = path(request.uri());
        HttpMethod method = request.method();
        Answer answer;
        if (path.startsWith(ANOMALIES + "/") && method.equals(HttpMethod.DELETE)) {
            String id = path.substring(ANOMALIES.length() + 1);
            answer = model.liftAnomaly(id) ? json(HttpResponseStatus.OK, status("lifted"))
                    : error(HttpResponseStatus.NOT_FOUND, "NOT_FOUND");
        } else if (!PATHS.contains(path)) {
            answer = error(HttpResponseStatus.NOT_FOUND, "NOT_FOUND");
        } else if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            answer = error(HttpResponseStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED");
        } else {
            answer = answer(path);
        }
        respond(ctx, request, answer, HttpUtil.isKeepAlive(request));
    }

    private Answer answer(String path) {
        try {
            return switch (path) {
                case LIVE -> json(HttpResponseStatus.OK, status("live"));
                case READY -> readiness(model.readiness());
                case CLUSTERS -> json(HttpResponseStatus.OK, model.clusters());
                case CONFIG -> json(HttpResponseStatus.OK, model.config());
                case ANOMALIES -> json(HttpResponseStatus.OK, model.anomalies());
                case METRICS -> new Answer(HttpResponseStatus.OK, model.metricsContentType(),
                        model.metrics().getBytes(StandardCharsets.UTF_8));
                default -> throw new IllegalStateException("no answer for known path " + path);
            };
        } catch (RuntimeException e) {
            // A model bug must not take down the admin connection, nor be mistaken for a 404.
            LOG.warn("admin {} failed", path, e);
            return error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR");
        }
    }

    private static Answer readiness(Readiness readiness) {
        if (readiness.ready()) {
            return json(HttpResponseStatus.OK, status("ready"));
        }
        ObjectNode body = status("not_ready");
        readiness.reasons().forEach(body.putArray("reasons")::add);
        return json(HttpResponseStatus.SERVICE_UNAVAILABLE, body);
    }

    /** The path of an origin-form target; the query and fragment never select an endpoint. */
    static String path(String uri) {
        int end = uri.length();
        int query = uri.indexOf('?');
        if (query >= 0) {
            end = query;
        }
        int fragment = uri.indexOf('#');
        if (fragment >= 0 && fragment < end) {
            end = fragment;
        }
        return uri.substring(0, end);
    }

    private static ObjectNode status(String status) {
        return JSON.createObjectNode().put("status", status);
    }

    private static Answer error(HttpResponseStatus status, String error) {
        return json(status, JSON.createObjectNode().put("status", status.code()).put("error", error));
    }

    private static Answer json(HttpResponseStatus status, JsonNode body) {
        try {
            return new Answer(status, JSON_TYPE, JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a JSON tree", e);
        }
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, Answer answer,
            boolean keepAlive) {
        boolean head = request.method().equals(HttpMethod.HEAD);
        FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), answer.status(),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(answer.body()));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, answer.contentType())
                // For HEAD too: the length the GET body would have (RFC 9110 section 9.3.2).
                .setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (answer.status().equals(HttpResponseStatus.METHOD_NOT_ALLOWED)) {
            response.headers().set(HttpHeaderNames.ALLOW, ALLOW);
        }
        HttpUtil.setKeepAlive(response, keepAlive);
        ChannelFuture written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("admin connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
