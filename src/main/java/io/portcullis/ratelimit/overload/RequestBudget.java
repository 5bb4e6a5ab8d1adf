package io.portcullis.ratelimit.overload;

/**
 * How many requests one downstream connection may still carry ({@link ConnectionLimits} {@code
 * maxRequestsPerConnection}). The connection handler creates one per connection and asks it as each request (or
 * HTTP/2 stream) starts. Confined to the connection's event loop, so it is a plain counter.
 *
 * <p>Closing "cleanly" means the last allowed request is served and says so ({@code Connection: close} on HTTP/1.1,
 * {@code GOAWAY} with its stream id on HTTP/2), so the client opens a new connection instead of seeing a reset.
 */
public final class RequestBudget {
    public enum Verdict {
        /** Serve it; more may follow. */
        SERVE,
        /** Serve it and close the connection after the response: it is the last one allowed. */
        SERVE_AND_CLOSE,
        /** Past the budget (a pipelined request sent before the close was seen): do not serve it. */
        REFUSE
    }

    /** The null object of a connection without a budget. */
    static final RequestBudget UNLIMITED = new RequestBudget(Integer.MAX_VALUE);

    private final int max;
    private int served;

    RequestBudget(int max) {
        this.max = max;
    }

    public Verdict onRequest() {
        if (max == Integer.MAX_VALUE) {
            return Verdict.SERVE; // shared instance: never counts
        }
        if (served >= max) {
            return Verdict.REFUSE;
        }
        served++;
        return served == max ? Verdict.SERVE_AND_CLOSE : Verdict.SERVE;
    }
}
