package io.portcullis.ratelimit.redis;

import io.portcullis.ratelimit.Decision;
import io.portcullis.ratelimit.Limit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * One shared decision in flight: completed by Redis's answer or by its timeout, whichever comes first. Future, timer
 * task and reply callback are one object, so a shared decision allocates one of these besides what Lettuce needs.
 * A reply that loses the race is dropped; the permit its script charged stays charged, so a timed-out decision can
 * only make the shared limit stricter, never looser.
 */
final class TimedDecision extends CompletableFuture<Decision> implements Runnable, BiConsumer<Long, Throwable> {
    private final Limit limit;
    private final Failover failover;
    private final RedisLink link;
    private final TimeoutException timeoutCause;
    private final String key;
    private final int cost;
    private volatile ScheduledFuture<?> timeout;

    TimedDecision(Limit limit, Failover failover, RedisLink link, TimeoutException timeoutCause, String key, int cost) {
        this.limit = limit;
        this.failover = failover;
        this.link = link;
        this.timeoutCause = timeoutCause;
        this.key = key;
        this.cost = cost;
    }

    TimedDecision start(CompletionStage<Long> reply, ScheduledExecutorService timer, long timeoutNanos) {
        timeout = timer.schedule(this, timeoutNanos, TimeUnit.NANOSECONDS); // before the reply can arrive
        reply.whenComplete(this);
        return this;
    }

    /** The timeout. */
    @Override
    public void run() {
        if (!isDone()) {
            complete(failover.unanswered(key, cost, timeoutCause));
        }
    }

    /** The reply. The timeout is cancelled last: should unpacking a reply ever fail, the timeout still answers. */
    @Override
    public void accept(Long word, Throwable error) {
        if (!isDone()) {
            if (error == null) {
                link.answered();
                complete(Decision.of(limit, word, cost, Decision.Basis.SHARED));
            } else {
                complete(failover.unanswered(key, cost, error));
            }
        }
        timeout.cancel(false);
    }
}
