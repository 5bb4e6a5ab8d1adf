package io.portcullis.ratelimit.anomaly;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;

/**
 * The request-path half of one key's state: running totals of responses by class, bumped by every event loop, and
 * the tick's view of them as one-second deltas.
 *
 * <p>The event loops never reset anything: they only add to totals, and the tick turns totals into "this second"
 * by subtracting what it saw last time. So no count is lost or double-counted however a record and a tick
 * interleave; a response recorded during a tick simply lands in the next second. Requests, counted on every
 * response and shared by all event loops for a route or consumer, use a {@link LongAdder}; the failure counts
 * change far less often and are plain atomic fields, which keeps the per-key footprint small for the many client
 * IPs that never fail. The 404 path sketch is the one thing the tick swaps out, atomically.
 */
final class KeyCounters {
    private static final VarHandle AUTH_FAILURES;
    private static final VarHandle NOT_FOUND;
    private static final VarHandle SERVER_ERRORS;
    private static final VarHandle PATHS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            AUTH_FAILURES = lookup.findVarHandle(KeyCounters.class, "authFailures", long.class);
            NOT_FOUND = lookup.findVarHandle(KeyCounters.class, "notFound", long.class);
            SERVER_ERRORS = lookup.findVarHandle(KeyCounters.class, "serverErrors", long.class);
            PATHS = lookup.findVarHandle(KeyCounters.class, "paths", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final LongAdder requests = new LongAdder();
    private volatile long authFailures;
    private volatile long notFound;
    private volatile long serverErrors;
    private volatile long paths;

    // Tick thread only.
    private long seenRequests;
    private long seenAuthFailures;
    private long seenNotFound;
    private long seenServerErrors;
    private int secondRequests;
    private int secondAuthFailures;
    private int secondNotFound;
    private int secondServerErrors;
    private long secondPaths;
    private double idleSeconds;

    /** Counts one response; {@code path} feeds the distinct-404 sketch and may be null where nobody reads it. */
    void count(int status, String path) {
        requests.increment();
        if (status >= 500) {
            SERVER_ERRORS.getAndAdd(this, 1L);
        } else if (status == 401 || status == 403) {
            AUTH_FAILURES.getAndAdd(this, 1L);
        } else if (status == 404) {
            NOT_FOUND.getAndAdd(this, 1L);
            if (path != null) {
                PATHS.getAndBitwiseOr(this, PathSketch.bit(path));
            }
        }
    }

    /**
     * Closes the second, {@code seconds} long: the {@code second*} accessors then describe what was counted since
     * the last roll.
     */
    void roll(double seconds) {
        long total = requests.sum();
        secondRequests = clamp(total - seenRequests);
        seenRequests = total;
        total = authFailures;
        secondAuthFailures = clamp(total - seenAuthFailures);
        seenAuthFailures = total;
        total = notFound;
        secondNotFound = clamp(total - seenNotFound);
        seenNotFound = total;
        total = serverErrors;
        secondServerErrors = clamp(total - seenServerErrors);
        seenServerErrors = total;
        secondPaths = (long) PATHS.getAndSet(this, 0L);
        idleSeconds = secondRequests == 0 ? idleSeconds + seconds : 0;
    }

    /** How long this key has gone without a request, as of the last roll. */
    double idleSeconds() {
        return idleSeconds;
    }

    int secondRequests() {
        return secondRequests;
    }

    int secondAuthFailures() {
        return secondAuthFailures;
    }

    int secondNotFound() {
        return secondNotFound;
    }

    int secondServerErrors() {
        return secondServerErrors;
    }

    long secondPaths() {
        return secondPaths;
    }

    private static int clamp(long delta) {
        return (int) Math.min(Integer.MAX_VALUE, delta);
    }
}
