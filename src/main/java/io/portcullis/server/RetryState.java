package io.portcullis.server;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.portcullis.config.ResilienceConfig;
import io.portcullis.resilience.Backoff;
import io.portcullis.resilience.RetryBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The retry bookkeeping of one exchange: which try this is, whether another is allowed (policy, method, deadline,
 * the cluster's budget), and the request body kept for replay. Confined to the exchange's event loop.
 *
 * <p>Body parts are kept as retained duplicates (no copy) while the request is sent; a body larger than
 * {@code max_body} drops them and makes the exchange unretryable once anything has been sent. A connect failure
 * needs no replay: nothing was sent, and the parts still wait in the exchange.
 */
final class RetryState {
    static final String IDEMPOTENCY_KEY = "idempotency-key";

    private final ResilienceConfig.Retry policy;
    private final RetryBudget budget;
    /** Made at the first retry: most exchanges never need it. */
    private Backoff backoff;
    private final boolean methodAllows;
    private List<HttpContent> replay;
    private long replayBytes;
    private boolean replayable;
    private int tries = 1;
    private boolean holdsBudget;

    RetryState(ResilienceConfig.Retry policy, RetryBudget budget, HttpRequest request) {
        this.policy = policy;
        this.budget = budget;
        this.methodAllows = policy.maxRetries() > 0 && (policy.nonIdempotent() || idempotent(request.method())
                || request.headers().contains(IDEMPOTENCY_KEY));
        this.replayable = methodAllows;
    }

    /** RFC 9110 §9.2.2. */
    static boolean idempotent(HttpMethod m) {
        return m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS || m == HttpMethod.PUT
                || m == HttpMethod.DELETE || m == HttpMethod.TRACE;
    }

    ResilienceConfig.Retry policy() {
        return policy;
    }

    int tries() {
        return tries;
    }

    /** Keeps a part about to be sent upstream, while the body stays under the replay limit. */
    void keep(HttpContent part) {
        if (!replayable) {
            return;
        }
        replayBytes += part.content().readableBytes();
        if (replayBytes > policy.maxBodyBytes()) {
            replayable = false;
            releaseReplay();
            return;
        }
        if (replay == null) {
            replay = new ArrayList<>(4);
        }
        replay.add(part.retainedDuplicate());
    }

    /** Writes the kept parts again (duplicates, so they stay kept for a later try). */
    void replayTo(Consumer<HttpContent> write) {
        if (replay != null) {
            for (HttpContent part : replay) {
                write.accept(part.retainedDuplicate());
            }
        }
    }

    /**
     * Whether another try may start now: retries left, the method and body allow it ({@code bodySent}: some of the
     * body already went upstream, so it must be replayable and complete), the deadline leaves room, and the cluster's
     * budget admits it (taken here, returned by {@link #tryEnded}).
     */
    boolean mayRetry(boolean bodySent, boolean requestComplete, long nowNanos, long deadlineNanos,
            int clusterActiveRequests) {
        tryEnded(); // the try that just failed no longer counts as a retry in flight
        if (!methodAllows || tries > policy.maxRetries() || nowNanos >= deadlineNanos) {
            return false;
        }
        if (bodySent && (!replayable || !requestComplete)) {
            return false;
        }
        if (!budget.tryAcquire(clusterActiveRequests)) {
            return false;
        }
        holdsBudget = true;
        tries++;
        return true;
    }

    /** Backoff before the next try, in nanoseconds. */
    long backoffNanos(RandomGenerator random) {
        if (backoff == null) {
            backoff = new Backoff(policy.backoffBase(), policy.backoffMax());
        }
        return backoff.delayNanos(tries - 1, random);
    }

    /** A retry try ended (any outcome): its budget share is returned. */
    void tryEnded() {
        if (holdsBudget) {
            holdsBudget = false;
            budget.release();
        }
    }

    /** The exchange is over: kept parts are released and any budget share returned. */
    void close() {
        tryEnded();
        releaseReplay();
    }

    private void releaseReplay() {
        if (replay != null) {
            for (HttpContent part : replay) {
                part.release();
            }
            replay = null;
        }
    }
}
