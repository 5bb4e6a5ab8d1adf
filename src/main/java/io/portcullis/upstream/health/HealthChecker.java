package io.portcullis.upstream.health;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import io.portcullis.config.ClusterConfig;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks of one cluster's endpoints; the package's facade. Sits beside the request path, not on it:
 * checks run on a group the caller dedicates to them, and their results feed the cluster's endpoint health, which
 * endpoint choice reads through {@link #healthy(int)} and the {@link Listener}.
 *
 * <p>Each endpoint is checked on a fresh connection ({@link TcpProbe} or {@link HttpProbe}, one {@link ProbeRun} per
 * check); the next check starts {@code interval} plus up to {@code jitter} after the previous one ended, so a slow
 * endpoint is never probed by overlapping checks. Thresholds live in {@link EndpointHealth}.
 *
 * <p>All state but the healthy flags is confined to one event loop of the group, chosen at construction (assertions
 * check this under {@code -ea}); so is the injected random source. A config reload or DNS change builds a new
 * checker and carries each endpoint's state over through {@link Target#knownHealthy()}.
 */
public final class HealthChecker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);

    /**
     * One endpoint to check.
     *
     * @param name         {@code host:port}, for logs and as the default Host header
     * @param knownHealthy null when there is no earlier result (a fresh endpoint), else the state carried over from
     *                     a previous checker (a config reload or DNS change)
     */
    public record Target(String name, InetSocketAddress address, Boolean knownHealthy) {
        public Target {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(address, "address");
        }
    }

    /** Called on the checker's event loop, once per transition. Must not block: it shares the loop with checks. */
    public interface Listener {
        void onHealthChanged(int targetIndex, boolean healthy, String reason);
    }

    private final String clusterName;
    private final long intervalNanos;
    private final long jitterNanos;
    private final long timeoutMillis;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final RandomGenerator random;
    private final Listener listener;
    private final TargetState[] states;
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean closed;

    /** One target's checking state; every field but {@code health}'s flag belongs to the loop. */
    private static final class TargetState {
        final Target target;
        final Probe probe;
        final EndpointHealth health;
        ScheduledFuture<?> next;
        ProbeRun run;

        TargetState(Target target, Probe probe, EndpointHealth health) {
            this.target = target;
            this.probe = probe;
            this.health = health;
        }
    }

    /**
     * @param group        the group health checks run on (not the request-serving loops); one of its loops is used
     * @param channelClass a socket channel class that matches the group's transport
     * @param random       the jitter source; used on the checker's loop only, so it need not be thread-safe
     * @throws IllegalArgumentException when interval or timeout is not positive or jitter is negative
     */
    public HealthChecker(String clusterName, ClusterConfig.HealthCheck config, List<Target> targets,
            EventLoopGroup group, Class<? extends SocketChannel> channelClass, RandomGenerator random,
            Listener listener) {
        this.clusterName = Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(targets, "targets");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(channelClass, "channelClass");
        this.random = Objects.requireNonNull(random, "random");
        this.listener = Objects.requireNonNull(listener, "listener");
        if (config.interval().isNegative() || config.interval().isZero()) {
            throw new IllegalArgumentException("health_check.interval must be > 0, was " + config.interval());
        }
        if (config.timeout().isNegative() || config.timeout().isZero()) {
            throw new IllegalArgumentException("health_check.timeout must be > 0, was " + config.timeout());
        }
        if (config.jitter().isNegative()) {
            throw new IllegalArgumentException("health_check.jitter must be >= 0, was " + config.jitter());
        }
        this.intervalNanos = config.interval().toNanos();
        this.jitterNanos = config.jitter().toNanos();
        this.timeoutMillis = Math.max(1, config.timeout().toMillis());
        this.loop = group.next();
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis));
        this.states = new TargetState[targets.size()];
        for (int i = 0; i < states.length; i++) {
            Target t = Objects.requireNonNull(targets.get(i), "targets[" + i + "]");
            ClusterConfig.Http http = config.http();
            Probe probe = http == null ? TcpProbe.INSTANCE
                    : new HttpProbe(http, http.host() != null ? http.host() : t.name());
            states[i] = new TargetState(t, probe,
                    new EndpointHealth(t.knownHealthy(), config.healthyThreshold(), config.unhealthyThreshold()));
        }
    }

    /**
     * Checks every target at once (each after up to {@code jitter}), then each again {@code interval} plus up to
     * {@code jitter} after its previous check ended. Does nothing once closed.
     *
     * @throws IllegalStateException when called twice
     */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("health checker of cluster " + clusterName + " already started");
        }
        onLoop(() -> {
            for (int i = 0; i < states.length; i++) {
                schedule(i, jitter());
            }
        });
    }

    /** The current state of target {@code targetIndex}; any thread. */
    public boolean healthy(int targetIndex) {
        return states[targetIndex].health.healthy();
    }

    /**
     * Stops checking: cancels scheduled checks and closes in-flight check connections. Idempotent. Off the loop it
     * waits until the loop has done so; listener calls already running may finish, later ones are dropped.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (loop.inEventLoop()) {
            cancelAll();
            return;
        }
        try {
            loop.submit(this::cancelAll).awaitUninterruptibly();
        } catch (RejectedExecutionException e) {
            // The loop is shutting down, and its timers and channels go with it.
            LOG.debug("health: cluster {} checker closed after its event loop shut down", clusterName);
        }
    }

    private void cancelAll() {
        assert loop.inEventLoop();
        for (TargetState e : states) {
            if (e.next != null) {
                e.next.cancel(false);
                e.next = null;
            }
            if (e.run != null) {
                e.run.abort();
                e.run = null;
            }
        }
    }

    private void onLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    private void schedule(int index, long delayNanos) {
        assert loop.inEventLoop();
        if (closed || loop.isShuttingDown()) {
            // A group shut down under an open checker takes its timers with it; scheduling would be rejected.
            return;
        }
        states[index].next = loop.schedule(() -> check(index), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check(int index) {
        assert loop.inEventLoop();
        TargetState e = states[index];
        e.next = null;
        if (closed) {
            return;
        }
        if (e.run != null) {
            // The previous check was decided but its connection is still draining a response body.
            e.run.abort();
        }
        ProbeRun run = new ProbeRun(loop, timeoutMillis, (pass, reason) -> onResult(index, pass, reason));
        e.run = run;
        run.start(bootstrap, e.target.address(), e.probe);
    }

    private void onResult(int index, boolean pass, String reason) {
        assert loop.inEventLoop();
        if (closed) {
            return;
        }
        TargetState e = states[index];
        LOG.debug("health: cluster {} endpoint {} check {} ({})", clusterName, e.target.name(),
                pass ? "passed" : "failed", reason);
        if (e.health.record(pass)) {
            transition(index, e, reason);
        }
        schedule(index, intervalNanos + jitter());
    }

    private void transition(int index, TargetState e, String reason) {
        boolean healthy = e.health.healthy();
        if (healthy) {
            LOG.info("health: cluster {} endpoint {} healthy ({}; {})", clusterName, e.target.name(), reason,
                    e.health.streak());
        } else {
            LOG.warn("health: cluster {} endpoint {} unhealthy ({}; {})", clusterName, e.target.name(), reason,
                    e.health.streak());
        }
        try {
            listener.onHealthChanged(index, healthy, reason);
        } catch (RuntimeException ex) {
            // A faulty listener must not stop the checks: the next one is scheduled after this returns.
            LOG.error("health: cluster {} listener failed on endpoint {}", clusterName, e.target.name(), ex);
        }
    }

    private long jitter() {
        return jitterNanos == 0 ? 0 : random.nextLong(jitterNanos + 1);
    }
}
