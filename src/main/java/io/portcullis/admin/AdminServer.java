package io.portcullis.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.portcullis.config.GatewayConfig.AdminConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener, beside the request path: health probes, clusters, config and metrics over plain HTTP/1.1
 * (see {@link AdminHandler} for the endpoints). It runs on event loops it is given (normally the gateway's) and
 * owns only its server channel and the connections it accepted.
 *
 * <p>Pipeline per connection: {@code IdleStateHandler → HttpServerCodec → HttpObjectAggregator → AdminHandler}.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    /** Admin requests carry no body; this only bounds what a confused client can make the server buffer. */
    static final int MAX_REQUEST_BYTES = 64 * 1024;
    /** Scrapers and probes reconnect cheaply; a forgotten keep-alive connection should not hold a socket forever. */
    static final int IDLE_SECONDS = 60;

    private final Channel serverChannel;
    private final ChannelGroup connections;

    private AdminServer(Channel serverChannel, ChannelGroup connections) {
        this.serverChannel = serverChannel;
        this.connections = connections;
    }

    /**
     * Binds and returns once bound.
     *
     * @throws IOException naming the address when it cannot be bound
     * @throws IllegalArgumentException when the config says the admin listener is disabled
     */
    public static AdminServer start(AdminConfig config, AdminModel model, EventLoopGroup group,
            Class<? extends ServerChannel> serverChannel) throws IOException {
        if (!config.enabled()) {
            throw new IllegalArgumentException("admin listener is disabled (admin.enabled: false)");
        }
        ChannelGroup connections = new DefaultChannelGroup("admin", GlobalEventExecutor.INSTANCE);
        ChannelFuture bind = new ServerBootstrap()
                .group(group)
                .channel(serverChannel)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(
                                new IdleStateHandler(IDLE_SECONDS, 0, 0, TimeUnit.SECONDS),
                                new HttpServerCodec(),
                                new HttpObjectAggregator(MAX_REQUEST_BYTES),
                                new AdminHandler(model));
                    }
                })
                .bind(config.host(), config.port())
                .awaitUninterruptibly();
        if (!bind.isSuccess()) {
            String address = config.host().indexOf(':') >= 0 ? "[" + config.host() + "]:" + config.port()
                    : config.host() + ":" + config.port();
            throw new IOException("cannot bind admin listener on " + address + ": " + bind.cause().getMessage(),
                    bind.cause());
        }
        LOG.info("admin listener on {}", bind.channel().localAddress());
        return new AdminServer(bind.channel(), connections);
    }

    /** The bound address (useful when the config asked for port 0). */
    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Stops accepting and closes every admin connection; the event loops are the caller's. */
    @Override
    public void close() {
        serverChannel.close().awaitUninterruptibly();
        connections.close().awaitUninterruptibly();
    }
}
