package io.portcullis.ratelimit.redis;

import io.portcullis.ratelimit.Decision;
import io.portcullis.ratelimit.Limit;
import io.portcullis.ratelimit.LocalRateLimiter;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * A shared limit's answers without Redis: its fail mode for a decision Redis left unanswered while it was thought up,
 * and its local share (limit ÷ known instances) while Redis is unavailable. The local share is built with the
 * limiter (so the first decision of an outage does not load and build a cache) and rebuilt at an outage if the
 * instance count has changed since, which forgets that share's state (rare: instances come and go far less often than
 * requests).
 */
final class Failover {
    private static final long MAX_FAIL_CLOSED_RETRY_NANOS = 1_000_000_000L;

    private final SharedLimit config;
    private final RedisLink link;
    private final LongSupplier nanoClock;
    private final Decision failOpen;
    private final Decision failClosed;
    private final AtomicReference<Share> share = new AtomicReference<>();

    private record Share(int instances, LocalRateLimiter limiter) {}

    Failover(SharedLimit config, RedisLink link, LongSupplier nanoClock) {
        this.config = config;
        this.link = link;
        this.nanoClock = nanoClock;
        Limit limit = config.limit();
        this.failOpen = Decision.failOpen(limit);
        // Refused by an outage, not by the limit: come back soon, but not in a tight loop.
        this.failClosed = Decision.failClosed(limit, Math.min(limit.intervalNanos(), MAX_FAIL_CLOSED_RETRY_NANOS));
        limiter(link.knownInstances());
    }

    /** Redis did not answer this decision (in time): the local share if Redis is now known to be away, else the fail mode. */
    Decision unanswered(String key, int cost, Throwable cause) {
        link.unanswered(cause);
        if (!link.available()) {
            return local(key, cost);
        }
        return config.failMode() == FailMode.OPEN ? failOpen : failClosed;
    }

    /** This instance's share of the limit, decided locally. */
    Decision local(String key, int cost) {
        LocalRateLimiter limiter = limiter(link.knownInstances());
        Limit limit = limiter.limit();
        if (cost > limit.maxCost()) {
            // The share is smaller than the whole; a request it can never hold is refused rather than thrown.
            return new Decision(false, limit.size(), 0, Decision.UNKNOWN, failClosed.retryAfterNanos(), 0,
                    Decision.Basis.FALLBACK_LOCAL);
        }
        return Decision.of(limit, limiter.acquire(key, cost), cost, Decision.Basis.FALLBACK_LOCAL);
    }

    private LocalRateLimiter limiter(int instances) {
        Share current = share.get();
        while (current == null || current.instances() != instances) {
            Share fresh = new Share(instances, new LocalRateLimiter(config.limit().dividedBy(instances), nanoClock));
            if (share.compareAndSet(current, fresh)) {
                return fresh.limiter();
            }
            current = share.get();
        }
        return current.limiter();
    }
}
