package io.portcullis.upstream.lb;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Requests in flight per endpoint, shared by all event loops of one snapshot: the exchange calls {@link #start} when
 * it sends a request to an endpoint and {@link #end} exactly once when that request finishes (response complete,
 * failed or aborted); {@link Policy#LEAST_REQUEST} reads the counts.
 *
 * <p>One {@link AtomicIntegerArray} with each counter on its own 64-byte cache line, so loops updating different
 * endpoints do not contend through false sharing. Reads are not a consistent snapshot across endpoints; the picker
 * does not need one.
 */
public final class ActiveRequests implements RequestCounts {
    /** Ints per cache line: counter {@code i} lives at {@code i * STRIDE}. */
    private static final int STRIDE = 16;

    private final int endpoints;
    private final AtomicIntegerArray counts;

    public ActiveRequests(int endpoints) {
        if (endpoints < 0 || endpoints > Integer.MAX_VALUE / STRIDE) {
            throw new IllegalArgumentException("endpoints must be in [0, " + Integer.MAX_VALUE / STRIDE + "], was "
                    + endpoints);
        }
        this.endpoints = endpoints;
        this.counts = new AtomicIntegerArray(endpoints * STRIDE);
    }

    public void start(int i) {
        counts.getAndIncrement(slot(i));
    }

    public void end(int i) {
        int now = counts.decrementAndGet(slot(i));
        assert now >= 0 : "end without start for endpoint " + i;
    }

    @Override
    public int get(int i) {
        return counts.get(slot(i));
    }

    int endpoints() {
        return endpoints;
    }

    private int slot(int i) {
        return Objects.checkIndex(i, endpoints) * STRIDE;
    }
}
