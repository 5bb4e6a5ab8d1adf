package io.portcullis.ratelimit.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This gateway instance's link to the Redis that holds the shared limits: one Lettuce connection for all of them
 * (Lettuce pipelines the concurrent commands of all event loops over it), the instance heartbeat, and whether Redis
 * is usable right now. A facade over {@link Availability} and {@link InstanceRegistry}; built once at startup, before
 * the shared limiters that use it, and closed at shutdown.
 *
 * <h2>When Redis goes away</h2>
 * Commands are never queued while disconnected ({@code REJECT_COMMANDS}) and the queue of commands awaiting replies
 * is bounded ({@code requestQueueSize}), so an outage cannot pile up memory or delay decisions: limiters ask
 * {@link #available()} first and decide locally while it is false. Lettuce reconnects by itself, at most
 * {@code maxReconnectDelay} apart, and this link retries a failed first connection the same way, so a gateway may
 * start before Redis. A connection that stays open while Redis does not answer is caught by two heartbeats in a row
 * getting no answer within half an interval: within two intervals of Redis hanging, decisions stop waiting for it.
 *
 * <p>Larger than most classes here (about 300 lines with its {@link Builder}): the connection's lifecycle, the
 * heartbeat that drives it and the Lettuce options that bound it are one job, and read best side by side.
 */
public final class RedisLink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisLink.class);
    private static final int STALLED_AFTER_MISSES = 2;

    private final RedisURI uri;
    private final String keyPrefix;
    private final Duration heartbeatInterval;
    private final Duration maxReconnectDelay;
    private final ClientResources resources;
    private final RedisClient client;
    private final InstanceRegistry registry;
    private final Availability availability;
    private final AtomicReference<StatefulRedisConnection<String, String>> connection = new AtomicReference<>();
    private final ScheduledFuture<?> heartbeat;
    private final AtomicLong beats = new AtomicLong();
    /** Heartbeats in a row that got no answer in time; one alone may be a hiccup of a loaded machine. */
    private final AtomicInteger misses = new AtomicInteger();
    private volatile boolean closed;

    private RedisLink(Builder b) {
        this.uri = b.uri;
        this.keyPrefix = b.keyPrefix;
        this.heartbeatInterval = b.heartbeatInterval;
        this.maxReconnectDelay = b.maxReconnectDelay;
        this.registry = new InstanceRegistry(keyPrefix + "instances", b.instanceId, heartbeatInterval);
        this.availability = new Availability(uri.getHost() + ":" + uri.getPort(), this::connectionOpen,
                registry::knownInstances);
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2) // Lettuce's minimum; one connection uses one of them
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(1), maxReconnectDelay, 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(b.requestQueueSize)
                .socketOptions(SocketOptions.builder().connectTimeout(b.connectTimeout).keepAlive(true).build())
                // A backstop that removes commands Redis never answers; decisions have their own, shorter timeout.
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(2)))
                .build());
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                availability.check(null);
                resources.eventExecutorGroup().execute(RedisLink.this::beat);
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                availability.check(null);
            }
        });
        connect();
        long every = heartbeatInterval.toNanos();
        this.heartbeat = resources.eventExecutorGroup().scheduleAtFixedRate(this::beat, every, every,
                TimeUnit.NANOSECONDS);
    }

    /** Links to the Redis at {@code uri}; {@link Builder#build()} starts connecting and returns at once. */
    public static Builder builder(RedisURI uri) {
        return new Builder(uri);
    }

    /** Whether decisions should go to Redis now; false logs the outage once. Cheap: read per decision. */
    public boolean available() {
        return availability.available();
    }

    /** Instances sharing the limits as of the last heartbeat (at least 1): the divisor of the local fallback. */
    public int knownInstances() {
        return registry.knownInstances();
    }

    public String instanceId() {
        return registry.instanceId();
    }

    /** Prefix of every key this link's limiters touch (the heartbeat set is {@code prefix + "instances"}). */
    public String keyPrefix() {
        return keyPrefix;
    }

    /** Runs a script; never throws: every failure, even one Lettuce throws at once, fails the stage instead. */
    <T> CompletionStage<T> run(LuaScript script, String key, String... args) {
        StatefulRedisConnection<String, String> c = connection.get();
        if (c == null) {
            return CompletableFuture.failedStage(new IllegalStateException("not connected to Redis " + uri));
        }
        try {
            return script.run(c.async(), key, args);
        } catch (RuntimeException e) {
            return CompletableFuture.failedStage(e);
        }
    }

    /** Schedules decision timeouts; Lettuce's computation thread, so no thread of our own. */
    ScheduledExecutorService timer() {
        return resources.eventExecutorGroup();
    }

    /** Redis answered a decision. */
    void answered() {
        availability.answered();
    }

    /** A decision got no answer; re-evaluates availability so the outage is logged with its cause. */
    void unanswered(Throwable cause) {
        availability.check(cause);
    }

    private boolean connectionOpen() {
        StatefulRedisConnection<String, String> c = connection.get();
        return c != null && c.isOpen();
    }

    private void connect() {
        if (closed) {
            return;
        }
        client.connectAsync(StringCodec.UTF8, uri).whenComplete((c, error) -> {
            if (error != null) {
                availability.check(error);
                if (!closed) {
                    resources.eventExecutorGroup().schedule(this::connect, maxReconnectDelay.toNanos(),
                            TimeUnit.NANOSECONDS);
                }
            } else if (closed) {
                c.closeAsync();
            } else {
                connection.set(c);
                availability.check(null);
                beat();
            }
        });
    }

    private void beat() {
        StatefulRedisConnection<String, String> c = connection.get();
        if (closed || c == null || !c.isOpen()) {
            availability.check(null);
            return;
        }
        long beat = beats.incrementAndGet();
        registry.beat(c.async()).toCompletableFuture()
                .orTimeout(heartbeatInterval.toNanos() / 2, TimeUnit.NANOSECONDS)
                .whenComplete((count, error) -> {
                    if (error == null) {
                        misses.set(0);
                        availability.heartbeatAnswered(beat);
                    } else if (isTimeout(error) && c.isOpen()) {
                        if (misses.incrementAndGet() >= STALLED_AFTER_MISSES) {
                            availability.stalled(beat, error);
                        }
                    } else {
                        availability.check(error);
                    }
                });
    }

    private static boolean isTimeout(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return cause instanceof TimeoutException || cause instanceof RedisCommandTimeoutException;
    }

    /** Leaves the instance set (waiting at most a second), then closes the connection and Lettuce's threads. */
    @Override
    public void close() {
        closed = true;
        availability.close();
        heartbeat.cancel(false);
        StatefulRedisConnection<String, String> c = connection.getAndSet(null);
        if (c != null) {
            if (c.isOpen()) {
                try {
                    registry.leave(c.async()).toCompletableFuture().get(1, TimeUnit.SECONDS);
                } catch (Exception e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                    LOG.debug("could not leave the instance set of Redis {}; it expires by itself", uri, e);
                }
            }
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    /** Settings of a link; {@link #build()} validates them, naming the field. */
    public static final class Builder {
        private final RedisURI uri;
        private String instanceId = UUID.randomUUID().toString();
        private String keyPrefix = "portcullis:";
        private Duration heartbeatInterval = Duration.ofMillis(500);
        private Duration maxReconnectDelay = Duration.ofMillis(200);
        private Duration connectTimeout = Duration.ofSeconds(1);
        private int requestQueueSize = 10_000;

        private Builder(RedisURI uri) {
            this.uri = Objects.requireNonNull(uri, "uri must not be null");
        }

        /** Unique per running instance; a random UUID by default. */
        public Builder instanceId(String instanceId) {
            this.instanceId = Objects.requireNonNull(instanceId, "instance_id must not be null");
            return this;
        }

        /** Prefix of every key; lets several gateway fleets share one Redis. */
        public Builder keyPrefix(String keyPrefix) {
            this.keyPrefix = Objects.requireNonNull(keyPrefix, "key_prefix must not be null");
            return this;
        }

        /** How often the instance count is refreshed; a hung Redis is noticed within two of these. */
        public Builder heartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = Objects.requireNonNull(heartbeatInterval, "heartbeat_interval must not be null");
            return this;
        }

        /** Cap of the reconnect backoff: how late at most the link notices that Redis is back. */
        public Builder maxReconnectDelay(Duration maxReconnectDelay) {
            this.maxReconnectDelay = Objects.requireNonNull(maxReconnectDelay, "max_reconnect_delay must not be null");
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = Objects.requireNonNull(connectTimeout, "connect_timeout must not be null");
            return this;
        }

        /** Commands awaiting replies at most; beyond it commands fail at once (and decisions use their fail mode). */
        public Builder requestQueueSize(int requestQueueSize) {
            this.requestQueueSize = requestQueueSize;
            return this;
        }

        public RedisLink build() {
            if (instanceId.isEmpty()) {
                throw new IllegalArgumentException("instance_id must not be empty");
            }
            positive("heartbeat_interval", heartbeatInterval, Duration.ofMillis(10));
            positive("max_reconnect_delay", maxReconnectDelay, Duration.ofMillis(1));
            positive("connect_timeout", connectTimeout, Duration.ofMillis(1));
            if (requestQueueSize < 1) {
                throw new IllegalArgumentException("request_queue_size must be >= 1, was " + requestQueueSize);
            }
            return new RedisLink(this);
        }

        private static void positive(String field, Duration value, Duration min) {
            if (value.compareTo(min) < 0 || value.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException(field + " must be in [" + min + ", 1m], was " + value);
            }
        }
    }
}
