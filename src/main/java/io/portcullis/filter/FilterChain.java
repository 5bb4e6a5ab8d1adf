package io.portcullis.filter;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a route's filters in order over one request and enforces their contract: each continues exactly once (at
 * once, after a delay, or when something it waits for completes) or answers; a filter that does neither, or both,
 * fails with its name. Delays add up and are applied by the caller before the request goes upstream, so no filter
 * blocks the event loop.
 *
 * <p>Two phases: every filter sees the head ({@link #runHead}); then, when some filter {@linkplain
 * Filter#needsBody needs the body}, the caller reads it in full (an empty one when the request has none) and those
 * filters see it ({@link #runBody}). A filter that must wait (a key fetch) calls {@link #await}: the phase returns
 * {@link State#WAITING}, and the chain continues on the event loop when the wait is over, then tells the caller
 * through its {@link Resumed} callback.
 *
 * <p>One instance per request, confined to its event loop.
 */
public final class FilterChain {
    private static final Logger LOG = LoggerFactory.getLogger(FilterChain.class);

    /** Where the chain stands after a phase. */
    public enum State {
        /** Every filter let the request through: send it upstream after {@link #delayNanos()}. */
        PROCEED,
        /** The head passed; buffer the body and call {@link #runBody}. */
        NEEDS_BODY,
        /** A filter waits for something; {@link Resumed} is called on the event loop when the chain moves on. */
        WAITING,
        /** A filter answered: {@link #rejection()}. */
        RESPONDED
    }

    /** Told, on the event loop, that a {@link State#WAITING} chain has moved on to {@link #state()}. */
    public interface Resumed {
        void resumed(FilterChain chain);
    }

    private final List<Filter> filters;
    private final HttpRequest request;
    private final Peer peer;
    private final String clientAddress;
    private final Executor loop;
    private Resumed resumed;
    private State state;
    private int index;
    private boolean bodyPhase;
    private ByteBuf body;
    private Filter current;
    private boolean decided;
    private boolean waiting;
    private long delayNanos;
    private Rejection rejection;
    private Principal principal;
    private List<Consumer<HttpHeaders>> responseActions;
    private List<Completion> completions;
    private List<Detection> detections;

    private FilterChain(List<Filter> filters, HttpRequest request, Peer peer, String clientAddress, Executor loop) {
        this.filters = filters;
        this.request = request;
        this.peer = peer;
        this.clientAddress = clientAddress;
        this.loop = loop;
    }

    /**
     * @param clientAddress the client's address as the gateway trusts it: the peer's, or the one trusted proxies
     *     reported
     * @param loop          the request's event loop, where the chain continues after a wait
     */
    public static FilterChain create(List<Filter> filters, HttpRequest request, Peer peer, String clientAddress,
            Executor loop) {
        return new FilterChain(filters, request, peer, clientAddress, loop);
    }

    /** Called when a waiting chain moves on; set before running a phase that may wait. */
    public FilterChain onResumed(Resumed callback) {
        this.resumed = callback;
        return this;
    }

    /** Runs every filter over the request head. */
    public State runHead() {
        index = 0;
        bodyPhase = false;
        return advance();
    }

    /** Runs the filters that need the body over it, once it has been read in full; the caller keeps ownership. */
    public State runBody(ByteBuf body) {
        if (state != State.NEEDS_BODY) {
            throw new IllegalStateException("body phase before the head passed (" + state + ")");
        }
        this.body = body;
        index = 0;
        bodyPhase = true;
        return advance();
    }

    private State advance() {
        while (index < filters.size()) {
            Filter f = filters.get(index++);
            if (bodyPhase && !f.needsBody(request)) {
                continue;
            }
            current = f;
            decided = false;
            if (bodyPhase) {
                f.onBody(request, body, this);
            } else {
                f.onRequest(request, this);
            }
            if (!decided) {
                throw new IllegalStateException("filter " + f.name() + " neither continued nor answered the request");
            }
            if (waiting) {
                return state = State.WAITING;
            }
            if (rejection != null) {
                return state = State.RESPONDED;
            }
        }
        if (!bodyPhase && needsBody()) {
            return state = State.NEEDS_BODY;
        }
        return state = State.PROCEED;
    }

    private boolean needsBody() {
        for (Filter f : filters) {
            if (f.needsBody(request)) {
                return true;
            }
        }
        return false;
    }

    /** The smallest body limit of the filters that need the body; {@code Long.MAX_VALUE} when none sets one. */
    public long bodyLimit() {
        long limit = Long.MAX_VALUE;
        for (Filter f : filters) {
            if (f.needsBody(request)) {
                limit = Math.min(limit, f.bodyLimit(request));
            }
        }
        return limit;
    }

    /** The state after the last phase (or wait) ended. */
    public State state() {
        return state;
    }

    /** Who sent the request: address, TLS, and the verified client certificate when there is one. */
    public Peer peer() {
        return peer;
    }

    /** The client's address as trusted: the peer's, or the one reported by a trusted proxy. */
    public String clientAddress() {
        return clientAddress;
    }

    /** The authenticated caller, or null while (or if) no filter has authenticated one. */
    public Principal principal() {
        return principal;
    }

    /** Records who the caller is; later filters (authorization, limits) read it. */
    public void authenticate(Principal principal) {
        this.principal = Objects.requireNonNull(principal, "principal");
    }

    /**
     * Something to do to the response head, whether it comes from the backend or from the gateway (CORS, security
     * headers); actions run in the order filters registered them.
     */
    public void onResponse(Consumer<HttpHeaders> action) {
        if (responseActions == null) {
            responseActions = new ArrayList<>(2);
        }
        responseActions.add(Objects.requireNonNull(action, "action"));
    }

    /** Applies what filters asked for to a response head. */
    public void applyResponseActions(HttpHeaders response) {
        if (responseActions != null) {
            for (Consumer<HttpHeaders> action : responseActions) {
                action.accept(response);
            }
        }
    }

    /** Told how the request ended: the status sent (0 when none was) and the time from its head to the end. */
    public interface Completion {
        void completed(int status, long durationNanos);
    }

    /** Runs {@code completion} once the request has ended, whatever answered it (a filter, the gateway, a backend). */
    public void onComplete(Completion completion) {
        if (completions == null) {
            completions = new ArrayList<>(1);
        }
        completions.add(Objects.requireNonNull(completion, "completion"));
    }

    /** The request ended; called once by the gateway. */
    public void complete(int status, long durationNanos) {
        List<Completion> all = completions;
        completions = null;
        if (all != null) {
            for (Completion c : all) {
                c.completed(status, durationNanos);
            }
        }
    }

    /** Whether some filter registered a response action. */
    public boolean hasResponseActions() {
        return responseActions != null;
    }

    /** Notes something worth an audit line that did not stop the request (a filter in detect-only mode). */
    public void report(String reason, String detail) {
        if (detections == null) {
            detections = new ArrayList<>(2);
        }
        detections.add(new Detection(current.name(), reason, detail));
    }

    /** What filters reported without stopping the request; empty when nothing. */
    public List<Detection> detections() {
        return detections == null ? List.of() : detections;
    }

    /** Lets the request continue to the next filter (and, after the last, upstream). */
    public void proceed() {
        decide();
    }

    /** Lets the request continue, but not before {@code nanos} have passed. */
    public void proceedAfter(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("filter " + current.name() + ": delay must be >= 0, was " + nanos);
        }
        decide();
        delayNanos += nanos;
    }

    /** Answers the request with a JSON error ({@code {"status", "error", "request_id"}}); later filters do not run. */
    public void respond(int status, String error) {
        reject(Rejection.of(status, error));
    }

    /** Answers the request with {@code rejection}; later filters do not run. */
    public void reject(Rejection rejection) {
        int status = rejection.status();
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("filter " + current.name() + ": status must be in 200..599, was "
                    + status);
        }
        decide();
        this.rejection = rejection.withFilter(current.name());
    }

    /**
     * Decides later: when {@code stage} completes, {@code then} runs on the event loop and must decide as
     * {@link Filter#onRequest} would. A stage that is already complete is handled at once, without a hop.
     */
    public <T> void await(CompletionStage<T> stage, BiConsumer<? super T, Throwable> then) {
        decide();
        Filter waitingFilter = current;
        CompletableFuture<T> future = stage.toCompletableFuture();
        if (future.isDone()) {
            decided = false;
            settle(future, then, waitingFilter); // now, on this thread
            return;
        }
        waiting = true;
        future.whenComplete((value, error) -> loop.execute(() -> {
            waiting = false;
            current = waitingFilter;
            decided = false;
            try {
                settle(future, then, waitingFilter);
                state = waiting ? State.WAITING : rejection != null ? State.RESPONDED : advance();
            } catch (RuntimeException e) {
                // Nobody up the stack would see it: the request must still get an answer.
                LOG.error("filter {} failed after a wait", current.name(), e);
                rejection = Rejection.of(500, "FILTER_FAILED").withFilter(current.name());
                state = State.RESPONDED;
            }
            if (state != State.WAITING && resumed != null) {
                resumed.resumed(this);
            }
        }));
    }

    private <T> void settle(CompletableFuture<T> done, BiConsumer<? super T, Throwable> then, Filter filter) {
        T value = null;
        Throwable error = null;
        try {
            value = done.join();
        } catch (CompletionException | CancellationException e) {
            error = e.getCause() != null ? e.getCause() : e;
        }
        then.accept(value, error);
        if (!decided) {
            throw new IllegalStateException("filter " + filter.name() + " neither continued nor answered the request");
        }
    }

    /** Total delay the filters asked for. */
    public long delayNanos() {
        return delayNanos;
    }

    /** The answer a filter gave, or null. */
    public Rejection rejection() {
        return rejection;
    }

    private void decide() {
        if (decided) {
            throw new IllegalStateException("filter " + current.name() + " decided twice about one request");
        }
        decided = true;
    }

    /** A finding a filter reported without stopping the request. */
    public record Detection(String filter, String reason, String detail) {}
}
