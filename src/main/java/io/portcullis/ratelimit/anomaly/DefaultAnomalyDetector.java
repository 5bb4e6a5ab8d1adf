package io.portcullis.ratelimit.anomaly;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The anomaly engine: per-key state in three bounded Caffeine caches (client IPs, consumers, routes), an
 * {@link ActionRegistry} of what is in force, and the tick that connects them. A facade, so larger than most
 * classes here; the rules themselves live in the key states and trackers.
 *
 * <p>Per-key state is dropped after {@code idleExpiry} without a request, or earlier, least valuable first
 * (Caffeine's W-TinyLFU), when a kind holds {@code maxKeys}: a botnet of fresh IPs churns the cache without pushing
 * out the busy, long-known keys whose baselines matter. Idle expiry is the tick's job, not Caffeine's: the tick
 * visits every key anyway, while {@code expireAfterAccess} would read the clock and feed access-order maintenance
 * on every lookup (it made record+check seven times slower in {@code AnomalyDetectorBenchmark}). The price: a
 * request recorded in the instant its key, idle for {@code idleExpiry}, is dropped goes uncounted. Actions live in
 * the registry, apart from the state, so a blocked IP that goes quiet stays blocked.
 */
public final class DefaultAnomalyDetector implements AnomalyDetector {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultAnomalyDetector.class);
    /** Ticks closer together than this are ignored: a second is the unit every rule is written in. */
    private static final long MIN_TICK_NANOS = 500_000_000L;

    private final AnomalyRules rules;
    private final LongSupplier nanoClock;
    private final Instant wallAnchor;
    private final long nanoAnchor;
    private final AnomalyListener listener;
    private final Cache<String, ClientState> clients;
    private final Cache<String, ConsumerState> consumers;
    private final Cache<String, RouteState> routes;
    /** Made once: a capturing lambda written inline in {@link #record} would allocate on every call. */
    private final Function<String, ClientState> newClient;
    private final ActionRegistry registry;
    private final FindingSink sink = new Sink();
    private final double idleSeconds;
    private final Object tickLock = new Object();
    /** Guarded by tickLock. */
    private long lastTick;

    private DefaultAnomalyDetector(Builder b) {
        this.rules = b.rules;
        this.nanoClock = b.nanoClock;
        this.listener = b.listener;
        this.nanoAnchor = nanoClock.getAsLong();
        this.wallAnchor = b.wallClock.instant();
        this.lastTick = nanoAnchor;
        this.idleSeconds = b.idleExpiry.toNanos() / 1e9;
        this.clients = cache(b);
        this.consumers = cache(b);
        this.routes = cache(b);
        int windowSeconds = rules.failureWindowSeconds();
        this.newClient = ip -> new ClientState(windowSeconds);
        this.registry = new ActionRegistry(b.maxActions);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void record(String clientIp, String consumer, String route, int status, String path) {
        Objects.requireNonNull(clientIp, "clientIp must not be null");
        clients.get(clientIp, newClient).counts.count(status, path);
        if (consumer != null) {
            consumers.get(consumer, c -> new ConsumerState()).counts.count(status, null);
        }
        if (route != null) {
            routes.get(route, r -> new RouteState()).counts.count(status, null);
        }
    }

    @Override
    public Action check(String clientIp, String consumer, String route) {
        return registry.lookup(clientIp, consumer, route, nanoClock);
    }

    @Override
    public void tick(long nowNanos) {
        synchronized (tickLock) {
            long elapsed = nowNanos - lastTick;
            if (elapsed < MIN_TICK_NANOS) {
                return;
            }
            lastTick = nowNanos;
            for (AnomalyAction expired : registry.expire(nowNanos)) {
                tell(expired, listener::onExpired);
            }
            Tick tick = Tick.of(nowNanos, elapsed / 1e9, rules);
            clients.asMap().forEach((ip, state) -> {
                state.tick(ip, tick, sink);
                forgetIfIdle(clients, ip, state, state.counts);
            });
            consumers.asMap().forEach((consumer, state) -> {
                state.tick(consumer, tick, sink);
                forgetIfIdle(consumers, consumer, state, state.counts);
            });
            routes.asMap().forEach((route, state) -> {
                state.tick(route, tick, sink);
                forgetIfIdle(routes, route, state, state.counts);
            });
            // Caffeine's maintenance (size eviction) runs here as well, not only when event-loop writes schedule it.
            clients.cleanUp();
            consumers.cleanUp();
            routes.cleanUp();
        }
    }

    /** {@link #tick(long)} at the detector's own clock; what a scheduler calls. */
    public void tick() {
        tick(nanoClock.getAsLong());
    }

    @Override
    public List<AnomalyAction> active() {
        return registry.active();
    }

    @Override
    public Optional<AnomalyAction> lift(String id) {
        Optional<AnomalyAction> lifted = registry.lift(Objects.requireNonNull(id, "id must not be null"));
        lifted.ifPresent(action -> tell(action, listener::onLifted));
        return lifted;
    }

    /** How many keys of a kind the detector tracks now (estimated), for a gauge. */
    public long trackedKeys(AnomalyKey.Kind kind) {
        return switch (kind) {
            case CLIENT_IP -> clients.estimatedSize();
            case CONSUMER -> consumers.estimatedSize();
            case ROUTE -> routes.estimatedSize();
        };
    }

    public AnomalyRules rules() {
        return rules;
    }

    private <V> void forgetIfIdle(Cache<String, V> cache, String key, V state, KeyCounters counts) {
        if (counts.idleSeconds() >= idleSeconds) {
            cache.asMap().remove(key, state);
        }
    }

    private Instant instant(long nanos) {
        return wallAnchor.plusNanos(nanos - nanoAnchor);
    }

    private void tell(AnomalyAction action, Consumer<AnomalyAction> callback) {
        try {
            callback.accept(action);
        } catch (RuntimeException e) {
            LOG.error("anomaly listener failed on {}", action.id(), e);
        }
    }

    private static <V> Cache<String, V> cache(Builder b) {
        return Caffeine.newBuilder()
                .maximumSize(b.maxKeys)
                .executor(b.executor)
                .build();
    }

    /** Turns findings into actions; runs on the tick thread inside {@link #tick}. */
    private final class Sink implements FindingSink {
        @Override
        public boolean covers(Rule rule, AnomalyKey key) {
            return registry.covers(rule, key);
        }

        @Override
        public void raise(AnomalyKey key, Finding finding) {
            long now = lastTick;
            RuleResponse response = finding.response();
            long expiresAt = now + response.duration().toNanos();
            double limit = response.action() == ActionType.THROTTLE
                    ? Math.max(response.throttleFloorPerSecond(), finding.normalRatePerSecond())
                    : 0;
            AnomalyAction action = registry.raise(finding.rule(), key, expiresAt, id -> new AnomalyAction(id,
                    finding.rule(), key, response.action(), Math.round(limit * 100) / 100.0, finding.reason(),
                    finding.evidence(), instant(now), instant(expiresAt)));
            if (action == null) {
                try {
                    listener.onDropped(finding.rule(), key);
                } catch (RuntimeException e) {
                    LOG.error("anomaly listener failed on a dropped {} for {}", finding.rule().slug(), key, e);
                }
                return;
            }
            tell(action, listener::onRaised);
        }
    }

    /** Validates in {@link #build()}; every setting has a default, so {@code builder().build()} is a working engine. */
    public static final class Builder {
        private AnomalyRules rules = AnomalyRules.DEFAULT;
        private LongSupplier nanoClock = System::nanoTime;
        private Clock wallClock = Clock.systemUTC();
        private AnomalyListener listener = AnomalyListener.NONE;
        private int maxKeys = 100_000;
        private Duration idleExpiry = Duration.ofMinutes(10);
        private int maxActions = 10_000;
        private Executor executor = Runnable::run; // on the recording thread: no task or wake-up per drain

        private Builder() {
        }

        public Builder rules(AnomalyRules rules) {
            this.rules = rules;
            return this;
        }

        /** Monotonic nanoseconds for buckets, expiry and throttles; tests pass a {@code ManualClock}. */
        public Builder nanoClock(LongSupplier nanoClock) {
            this.nanoClock = nanoClock;
            return this;
        }

        /** Only to show {@code createdAt}/{@code expiresAt} as instants; read once, at build time. */
        public Builder wallClock(Clock wallClock) {
            this.wallClock = wallClock;
            return this;
        }

        public Builder listener(AnomalyListener listener) {
            this.listener = listener;
            return this;
        }

        /**
         * Keys tracked per kind (client IPs, consumers, routes each). A client IP costs about 400 bytes (measured
         * with 100 000 of them: some 40 MB), a little more while it has 401/403/404s in its window.
         */
        public Builder maxKeys(int maxKeys) {
            this.maxKeys = maxKeys;
            return this;
        }

        /** How long a key without requests keeps its state; by then a 60 s baseline has decayed to nothing. */
        public Builder idleExpiry(Duration idleExpiry) {
            this.idleExpiry = idleExpiry;
            return this;
        }

        /** Cap on actions held (including lifted ones until they expire); findings beyond it are dropped. */
        public Builder maxActions(int maxActions) {
            this.maxActions = maxActions;
            return this;
        }

        /** Where Caffeine runs its maintenance (default: the calling thread); the tick runs it every second too. */
        public Builder executor(Executor executor) {
            this.executor = executor;
            return this;
        }

        public DefaultAnomalyDetector build() {
            Objects.requireNonNull(rules, "rules must not be null");
            Objects.requireNonNull(nanoClock, "nanoClock must not be null");
            Objects.requireNonNull(wallClock, "wallClock must not be null");
            Objects.requireNonNull(listener, "listener must not be null (use AnomalyListener.NONE)");
            Objects.requireNonNull(executor, "executor must not be null");
            Objects.requireNonNull(idleExpiry, "idleExpiry must not be null");
            if (maxKeys < 1) {
                throw new IllegalArgumentException("maxKeys must be >= 1, was " + maxKeys);
            }
            if (maxActions < 1) {
                throw new IllegalArgumentException("maxActions must be >= 1, was " + maxActions);
            }
            if (idleExpiry.compareTo(Duration.ofMinutes(1)) < 0) {
                throw new IllegalArgumentException("idleExpiry must be >= 1m (longer than any window), was "
                        + idleExpiry);
            }
            return new DefaultAnomalyDetector(this);
        }
    }
}
