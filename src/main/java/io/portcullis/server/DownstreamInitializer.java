package io.portcullis.server;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.portcullis.config.ListenerConfig;
import java.util.concurrent.TimeUnit;

/**
 * Builds the pipeline of each accepted connection:
 * <pre>
 *   idle → decoder (strict, header-read timeout) → encoder → flow control → {@link DownstreamHandler}
 * </pre>
 * The flow-control stage holds decoded messages while the handler has reading switched off, which is how
 * pipelined requests wait their turn and how request bodies follow upstream backpressure.
 */
final class DownstreamInitializer extends ChannelInitializer<SocketChannel> {
    private final GatewayContext context;
    private final ListenerConfig listener;

    DownstreamInitializer(GatewayContext context, ListenerConfig listener) {
        this.context = context;
        this.listener = listener;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ListenerConfig.Limits limits = listener.limits();
        ProxyResponseEncoder encoder = new ProxyResponseEncoder();
        ch.pipeline()
                .addLast("idle", new IdleStateHandler(0, 0, listener.idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                .addLast("decoder", new StrictRequestDecoder(limits.maxRequestLine(), limits.maxHeaderSize(),
                        limits.maxHeaderField(), listener.headerReadTimeout().toMillis()))
                .addLast("encoder", encoder)
                .addLast("flow", new FlowControlHandler())
                .addLast("proxy", new DownstreamHandler(context, listener, encoder));
        context.downstreamChannels().add(ch);
    }
}
