package io.portcullis.ratelimit.anomaly;

/**
 * One client IP's last few seconds of responses, one slot per tick, for the window rules
 * ({@link CredentialStuffingRule}, {@link PathScanningRule}). Tick thread only.
 *
 * <p>Request counts are always kept, because a share needs the requests of the seconds before the first failure
 * too. The failure series (401/403s, 404s, 404 path sketches) exist only while the IP failed at least once within
 * the window, since most IPs never fail and there may be a hundred thousand of them.
 */
final class FailureWindow {
    private final int capacity;
    private final int[] requests;
    private int[] authFailures;
    private int[] notFound;
    private long[] paths;
    /** The slot the next second goes to; the newest second is just before it. */
    private int next;
    private int quietSeconds;

    FailureWindow(int capacity) {
        this.capacity = capacity;
        this.requests = new int[capacity];
    }

    void push(KeyCounters second) {
        int slot = next;
        next = slot + 1 == capacity ? 0 : slot + 1;
        requests[slot] = second.secondRequests();
        boolean failed = second.secondAuthFailures() > 0 || second.secondNotFound() > 0;
        if (failed) {
            quietSeconds = 0;
            if (authFailures == null) {
                authFailures = new int[capacity];
                notFound = new int[capacity];
                paths = new long[capacity];
            }
        } else if (authFailures != null && ++quietSeconds >= capacity) {
            authFailures = null;
            notFound = null;
            paths = null;
            return;
        }
        if (authFailures != null) {
            authFailures[slot] = second.secondAuthFailures();
            notFound[slot] = second.secondNotFound();
            paths[slot] = second.secondPaths();
        }
    }

    /** Whether any second in the window had a failure; when not, the window rules have nothing to look at. */
    boolean hasFailures() {
        return authFailures != null;
    }

    long requests(int seconds) {
        return sum(requests, seconds);
    }

    long authFailures(int seconds) {
        return authFailures == null ? 0 : sum(authFailures, seconds);
    }

    long notFound(int seconds) {
        return notFound == null ? 0 : sum(notFound, seconds);
    }

    /** The union of the last {@code seconds} path sketches. */
    long paths(int seconds) {
        if (paths == null) {
            return 0;
        }
        long union = 0;
        for (int i = 0, slot = newest(); i < Math.min(seconds, capacity); i++, slot = older(slot)) {
            union |= paths[slot];
        }
        return union;
    }

    private long sum(int[] series, int seconds) {
        long total = 0;
        for (int i = 0, slot = newest(); i < Math.min(seconds, capacity); i++, slot = older(slot)) {
            total += series[slot];
        }
        return total;
    }

    private int newest() {
        return older(next);
    }

    private int older(int slot) {
        return slot == 0 ? capacity - 1 : slot - 1;
    }
}
