package io.portcullis.ratelimit.redis;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.portcullis.ratelimit.Decision;
import io.portcullis.ratelimit.Limit;
import io.portcullis.ratelimit.LocalRateLimiter;
import io.portcullis.ratelimit.SharedRateLimiter;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A shared token-bucket limit in batched mode: each instance leases up to {@code batch} permits per key from Redis at
 * once ({@link GcraScripts#LEASE}) and spends them locally, so only about one request in {@code batch} waits for a
 * round trip. Asked by the rate-limit filter once per request, like {@link RedisRateLimiter}, with the same timeout,
 * fail mode and local fallback.
 *
 * <h2>Error bound</h2>
 * With {@code n} instances, the admitted count of any time window differs from what the exact shared limit would
 * admit by at most {@code n × (batch − 1)}, and never exceeds it counted from the start:
 * <ul>
 *   <li>A permit is admitted only if it was leased, and Redis leases permits exactly as it would admit them one by
 *       one, so from the start the instances together admit at most the exact limit.</li>
 *   <li>An instance leases for a key only when it holds fewer permits than the request needs, at most one lease in
 *       flight per key, and the request that caused it takes its share first; so it holds at most
 *       {@code batch − 1} unspent permits per key. Held permits expire after {@code leaseTtl}.</li>
 *   <li>So at most {@code n × (batch − 1)} permits leased before a window are spent in it (over-admission), and at
 *       most as many leased in it are left unspent or expire (under-admission).</li>
 * </ul>
 * A request whose lease times out leaves the whole lease unspent, so with timeouts the bound is {@code n × batch}.
 * Requests of cost above 1 may leave permits behind that are fewer than they need; a new lease replaces them (more
 * under-admission, never more over-admission). Batched mode has no leaky bucket: a leaky bucket's delays come from
 * each request's place in one shared queue, which leased permits do not have.
 *
 * <p>Decisions' {@code remaining} is Redis's count at the last lease plus the permits this instance still holds: an
 * estimate, as the other instances hold some too.
 *
 * <p>About 250 lines, a third of them Javadoc, with the per-key {@code Slot} and {@code Grant}: leasing, spending
 * and the bound that ties them are easier to check in one place.
 */
public final class LeasedRateLimiter implements SharedRateLimiter {
    private final RedisLink link;
    private final Limit limit;
    private final int batch;
    private final long leaseTtlNanos;
    private final long timeoutNanos;
    private final LongSupplier nanoClock;
    private final Failover failover;
    private final TimeoutException timeoutCause;
    private final String keyPrefix;
    private final String[] leaseArgs;
    private final Cache<String, Slot> slots;
    private final Function<String, Slot> newSlot;

    /**
     * @param batch permits leased at once, in {@code [1, burst]}; the error bound grows with it
     * @param leaseTtl how long leased permits stay spendable; bounds how stale a carried-over permit can be
     * @param nanoClock drives lease expiry and the local fallback
     */
    public LeasedRateLimiter(RedisLink link, SharedLimit config, int batch, Duration leaseTtl, LongSupplier nanoClock) {
        this.link = Objects.requireNonNull(link, "link must not be null");
        Objects.requireNonNull(config, "config must not be null");
        this.limit = config.limit();
        if (limit.algorithm() != Limit.Algorithm.TOKEN_BUCKET) {
            throw new IllegalArgumentException("batch needs a token bucket; limit " + config.name() + " is a "
                    + limit);
        }
        if (batch < 1 || batch > limit.maxCost()) {
            throw new IllegalArgumentException("batch must be in [1, " + limit.maxCost() + "] (the burst), was "
                    + batch);
        }
        Objects.requireNonNull(leaseTtl, "lease_ttl must not be null");
        if (!leaseTtl.isPositive() || leaseTtl.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("lease_ttl must be in (0, 1m], was " + leaseTtl);
        }
        this.batch = batch;
        this.leaseTtlNanos = leaseTtl.toNanos();
        this.timeoutNanos = config.timeout().toNanos();
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock must not be null");
        this.failover = new Failover(config, link, nanoClock);
        this.timeoutCause = new TimeoutException("no lease within " + config.timeout() + " for limit "
                + config.name());
        this.keyPrefix = link.keyPrefix() + "rl:" + config.name() + ":";
        this.leaseArgs = new String[] {Long.toString(limit.intervalNanos()), Long.toString(limit.thresholdNanos(1)),
                Integer.toString(batch)};
        this.slots = Caffeine.newBuilder()
                .maximumSize(LocalRateLimiter.DEFAULT_MAX_KEYS)
                .expireAfterAccess(Duration.ofNanos(leaseTtlNanos + Duration.ofSeconds(5).toNanos()))
                .ticker(nanoClock::getAsLong)
                // Maintenance on the calling thread, as in LocalRateLimiter: on the common pool, every drain of the
                // read buffer was a task and a thread wake-up per handful of requests.
                .executor(Runnable::run)
                .build();
        Grant none = new Grant(0, 0, nanoClock.getAsLong() - leaseTtlNanos); // expired, and ready at once
        this.newSlot = key -> new Slot(none);
    }

    @Override
    public CompletionStage<Decision> decide(String key, int cost) {
        limit.checkCost(cost);
        if (cost > batch) {
            throw new IllegalArgumentException("cost must be <= batch " + batch + ", was " + cost);
        }
        if (!link.available()) {
            return CompletableFuture.completedFuture(failover.local(key, cost));
        }
        Slot slot = slots.get(key, newSlot);
        Grant grant = slot.grant;
        long now = nanoClock.getAsLong();
        Decision held = grant.take(cost, now);
        if (held != null) {
            return CompletableFuture.completedFuture(held);
        }
        if (now - grant.readyAt(cost) < 0) {
            return CompletableFuture.completedFuture(grant.refusal(cost, now)); // Redis has none for us yet
        }
        CompletableFuture<Decision> out = new CompletableFuture<>();
        ScheduledFuture<?> timeout = link.timer().schedule(() -> {
            if (!out.isDone()) {
                out.complete(failover.unanswered(key, cost, timeoutCause));
            }
        }, timeoutNanos, TimeUnit.NANOSECONDS);
        out.whenComplete((d, e) -> timeout.cancel(false));
        awaitLease(key, slot, cost, out);
        return out;
    }

    private void awaitLease(String key, Slot slot, int cost, CompletableFuture<Decision> out) {
        lease(key, slot).whenComplete((grant, error) -> {
            if (out.isDone()) {
                return;
            }
            if (error != null) {
                out.complete(failover.unanswered(key, cost, error));
                return;
            }
            long now = nanoClock.getAsLong();
            Decision taken = grant.take(cost, now);
            if (taken != null) {
                out.complete(taken);
            } else if (now - grant.readyAt(cost) < 0) {
                out.complete(grant.refusal(cost, now)); // Redis had no more to lease
            } else {
                awaitLease(key, slot, cost, out); // others here spent this lease first; Redis may have more
            }
        });
    }

    /** The lease in flight for the key, or a new one: at most one per key per instance. */
    private CompletableFuture<Grant> lease(String key, Slot slot) {
        while (true) {
            CompletableFuture<Grant> pending = slot.pending.get();
            if (pending != null) {
                return pending;
            }
            CompletableFuture<Grant> mine = new CompletableFuture<>();
            if (slot.pending.compareAndSet(null, mine)) {
                link.<List<Long>>run(GcraScripts.LEASE, keyPrefix + key, leaseArgs).whenComplete((reply, error) -> {
                    Grant grant = null;
                    Throwable failure = error;
                    if (failure == null) {
                        try {
                            grant = new Grant(reply.get(0), reply.get(1), nanoClock.getAsLong());
                        } catch (RuntimeException e) {
                            failure = e; // a reply of the wrong shape must still end the lease, or the key hangs
                        }
                    }
                    if (grant != null) {
                        link.answered();
                        slot.grant = grant; // before the lease is cleared: whoever finds none finds this grant
                    }
                    slot.pending.set(null);
                    if (grant != null) {
                        mine.complete(grant);
                    } else {
                        mine.completeExceptionally(failure);
                    }
                });
                return mine;
            }
        }
    }

    /** A key's leased permits on this instance. */
    private static final class Slot {
        volatile Grant grant;
        final AtomicReference<CompletableFuture<Grant>> pending = new AtomicReference<>();

        Slot(Grant none) {
            this.grant = none;
        }
    }

    /**
     * One lease's permits; replaced whole by the next lease. It also remembers when Redis will have the next permit
     * ({@link #readyAt}), so that while the shared limit is exhausted requests are refused here instead of each
     * asking Redis for a lease it would refuse: under saturation, about one lease per permit rather than one per
     * request. That time is measured from the reply's arrival, up to half a round trip late, so a permit is picked
     * up that much later; it stays in Redis meanwhile, so none is lost.
     */
    private final class Grant {
        final long backlogNanos;
        final long leasedAt;
        final long expiresAt;
        final AtomicLong left;

        Grant(long granted, long backlogNanos, long leasedAt) {
            this.backlogNanos = backlogNanos;
            this.leasedAt = leasedAt;
            this.expiresAt = leasedAt + leaseTtlNanos;
            this.left = new AtomicLong(granted);
        }

        /** When Redis will next admit {@code cost} (at or before the lease if it may already have them). */
        long readyAt(int cost) {
            return leasedAt + backlogNanos - limit.thresholdNanos(cost);
        }

        /** Spends {@code cost} permits if this lease still holds them, or returns null. */
        Decision take(int cost, long now) {
            if (now - expiresAt >= 0) {
                return null;
            }
            while (true) {
                long have = left.get();
                if (have < cost) {
                    return null;
                }
                if (left.compareAndSet(have, have - cost)) {
                    return new Decision(true, limit.size(), limit.remaining(backlogNanos) + have - cost,
                            backlogNanos, 0, 0, Decision.Basis.LEASED);
                }
            }
        }

        Decision refusal(int cost, long now) {
            long retryAfter = Math.max(0, readyAt(cost) - now);
            return new Decision(false, limit.size(), 0, Math.max(0, leasedAt + backlogNanos - now), retryAfter, 0,
                    Decision.Basis.LEASED);
        }
    }
}
