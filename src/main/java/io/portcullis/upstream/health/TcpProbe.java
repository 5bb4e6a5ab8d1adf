package io.portcullis.upstream.health;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;

/** A TCP check: the endpoint passes when it accepts the connection, which is then closed unused. */
enum TcpProbe implements Probe {
    INSTANCE;

    @Override
    public void install(ChannelPipeline pipeline, Outcome outcome) {
        pipeline.addLast("tcp-check", new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                outcome.pass("connected");
                ctx.close();
            }
        });
    }
}
