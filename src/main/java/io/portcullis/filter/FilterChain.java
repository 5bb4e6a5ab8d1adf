package io.portcullis.filter;

import io.netty.handler.codec.http.HttpRequest;
import java.util.List;
import java.util.Objects;

/**
 * Runs a route's filters in order over one request head and enforces their contract: each continues exactly once
 * (at once or after a delay) or answers; a filter that does neither, or both, fails with its name. Delays add up and
 * are applied by the caller before the request goes upstream, so no filter blocks the event loop.
 *
 * <p>One instance per request, confined to its event loop.
 */
public final class FilterChain {
    /** The outcome: go upstream after {@code delayNanos}, or answer with {@code status} and {@code error}. */
    public record Outcome(long delayNanos, int status, String error) {
        static final Outcome PROCEED = new Outcome(0, 0, null);

        public boolean proceeds() {
            return status == 0;
        }
    }

    private final Peer peer;
    private Filter current;
    private boolean decided;
    private long delayNanos;
    private int status;
    private String error;

    private FilterChain(Peer peer) {
        this.peer = peer;
    }

    /** Runs {@code filters} over {@code request}; the empty chain proceeds at once without allocating. */
    public static Outcome run(List<Filter> filters, HttpRequest request, Peer peer) {
        if (filters.isEmpty()) {
            return Outcome.PROCEED;
        }
        FilterChain chain = new FilterChain(peer);
        for (Filter f : filters) {
            chain.current = f;
            chain.decided = false;
            f.onRequest(request, chain);
            if (!chain.decided) {
                throw new IllegalStateException("filter " + f.name() + " neither continued nor answered the request");
            }
            if (chain.status != 0) {
                return new Outcome(chain.delayNanos, chain.status, chain.error);
            }
        }
        return chain.delayNanos == 0 ? Outcome.PROCEED : new Outcome(chain.delayNanos, 0, null);
    }

    /** Who sent the request: address, TLS, and the verified client certificate when there is one. */
    public Peer peer() {
        return peer;
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
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("filter " + current.name() + ": status must be in 200..599, was "
                    + status);
        }
        decide();
        this.status = status;
        this.error = Objects.requireNonNull(error, "error");
    }

    private void decide() {
        if (decided) {
            throw new IllegalStateException("filter " + current.name() + " decided twice about one request");
        }
        decided = true;
    }
}
