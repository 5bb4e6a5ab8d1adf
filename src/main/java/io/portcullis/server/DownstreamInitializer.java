package io.portcullis.server;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.portcullis.config.ListenerConfig;
import java.util.concurrent.TimeUnit;

/**
 * Builds the pipeline of each accepted connection:
 * <pre>
 *   idle → decoder (strict, header-read timeout) → encoder → {@link DownstreamHandler}
 * </pre>
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
        // Reader-idle only: an all-idle handler hooks a listener onto every write, a measurable cost per request;
        // "idle" here means the client sent nothing for idle_timeout, which is what the timeout is about.
        ch.pipeline()
                .addLast("idle", new IdleStateHandler(listener.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
                .addLast("decoder", new StrictRequestDecoder(limits.maxRequestLine(), limits.maxHeaderSize(),
                        limits.maxHeaderField(), listener.headerReadTimeout().toMillis()))
                .addLast("encoder", encoder)
                .addLast("proxy", new DownstreamHandler(context, listener, encoder));
        context.downstreamChannels().add(ch);
    }
}
