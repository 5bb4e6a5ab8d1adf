package io.portcullis.upstream.health;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * One check of one endpoint: opens a fresh connection, lets the {@link Probe} decide, and fails the check when it has
 * not decided within the timeout. The first result wins and is handed to the callback exactly once (never after
 * {@link #abort()}). The connection closes when the probe is done with it, at the deadline at the latest, or on
 * abort, so a run never outlives its timeout.
 *
 * <p>Confined to the checker's event loop, which is also the connection's loop.
 */
final class ProbeRun implements Probe.Outcome {

    interface Callback {
        void onResult(boolean pass, String reason);
    }

    private final EventLoop loop;
    private final long timeoutMillis;
    private final Callback callback;
    private ChannelFuture connect;
    private ScheduledFuture<?> deadline;
    private boolean done;

    ProbeRun(EventLoop loop, long timeoutMillis, Callback callback) {
        this.loop = loop;
        this.timeoutMillis = timeoutMillis;
        this.callback = callback;
    }

    /** @param template a bootstrap on {@code loop} with channel class and options set, and no handler yet */
    void start(Bootstrap template, InetSocketAddress address, Probe probe) {
        assert loop.inEventLoop();
        // Armed before connecting: a failed registration closes the channel synchronously, and its close listener
        // cancels the deadline.
        deadline = loop.schedule(this::expire, timeoutMillis, TimeUnit.MILLISECONDS);
        connect = template.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                probe.install(ch.pipeline(), ProbeRun.this);
            }
        }).connect(address);
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                fail("connect failed: " + Reasons.of(f.cause()));
            }
        });
        connect.channel().closeFuture().addListener(f -> {
            deadline.cancel(false);
            if (connect.isSuccess()) {
                fail("connection closed before response");
            }
        });
    }

    @Override
    public void pass(String reason) {
        complete(true, reason);
    }

    @Override
    public void fail(String reason) {
        complete(false, reason);
    }

    /** Drops the run without a result (the checker closed, or a new run of the endpoint starts). */
    void abort() {
        assert loop.inEventLoop();
        done = true;
        if (deadline != null) {
            deadline.cancel(false);
        }
        if (connect != null) {
            connect.channel().close();
        }
    }

    private void expire() {
        fail("timed out after " + timeoutMillis + "ms");
        connect.channel().close();
    }

    private void complete(boolean pass, String reason) {
        assert loop.inEventLoop();
        if (done) {
            return;
        }
        done = true;
        callback.onResult(pass, reason);
    }
}
