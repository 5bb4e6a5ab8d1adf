package io.portcullis.ratelimit.redis;

import io.portcullis.ratelimit.Decision;
import io.portcullis.ratelimit.Limit;
import io.portcullis.ratelimit.SharedRateLimiter;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * One limit shared by all instances through Redis, exact: every decision is one atomic script on one key
 * ({@link GcraScripts#DECIDE}), so concurrent decisions from any number of instances are serialized by Redis and the
 * admitted count never drifts. Asked by the rate-limit filter once per request; the decision takes one round trip,
 * pipelined with all others over the instance's one connection ({@link RedisLink}).
 *
 * <p>Never waits longer than the limit's {@code timeout}: an unanswered decision gets the limit's {@link FailMode},
 * and while Redis is unavailable decisions are made at once by this instance's share of the limit
 * ({@link Limit#dividedBy} the known instances), without asking Redis at all.
 *
 * <p>Keys are {@code <prefix>rl:<name>:<key>}. No hash tag is needed for Redis Cluster, as each script touches only
 * its own key; a hash tag would put all keys of a limit on one node.
 */
public final class RedisRateLimiter implements SharedRateLimiter {
    private final RedisLink link;
    private final Limit limit;
    private final String keyPrefix;
    private final long timeoutNanos;
    private final Failover failover;
    private final TimeoutException timeoutCause;

    /** {@code nanoClock} drives only the local fallback; shared decisions run on Redis's clock. */
    public RedisRateLimiter(RedisLink link, SharedLimit config, LongSupplier nanoClock) {
        this.link = Objects.requireNonNull(link, "link must not be null");
        Objects.requireNonNull(config, "config must not be null");
        Objects.requireNonNull(nanoClock, "nanoClock must not be null");
        this.limit = config.limit();
        this.keyPrefix = link.keyPrefix() + "rl:" + config.name() + ":";
        this.timeoutNanos = config.timeout().toNanos();
        this.failover = new Failover(config, link, nanoClock);
        this.timeoutCause = new TimeoutException("no answer within " + config.timeout() + " for limit "
                + config.name());
    }

    @Override
    public CompletionStage<Decision> decide(String key, int cost) {
        limit.checkCost(cost);
        if (!link.available()) {
            return CompletableFuture.completedFuture(failover.local(key, cost));
        }
        CompletionStage<Long> reply = link.run(GcraScripts.DECIDE, keyPrefix + key,
                Long.toString(limit.incrementNanos(cost)), Long.toString(limit.thresholdNanos(cost)));
        return new TimedDecision(limit, failover, link, timeoutCause, key, cost)
                .start(reply, link.timer(), timeoutNanos);
    }
}
