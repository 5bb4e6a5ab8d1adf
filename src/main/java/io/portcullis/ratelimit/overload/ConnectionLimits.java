package io.portcullis.ratelimit.overload;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Connection-level protection, consulted by the listener's first handler when a connection is accepted (before
 * TLS, before any byte is decoded): a cap on open connections in total and per client address, a new-connection
 * rate per client address, and the number of requests one connection may carry ({@link #requestBudget()}).
 *
 * <p>A refused connection is closed at once; the typed {@link Verdict} is what the access log and metrics record.
 * Every {@link Verdict#ACCEPTED} {@link #tryOpen} must be matched by exactly one {@link #close} with the same key,
 * typically from {@code channelInactive}.
 *
 * <p>Lock-free. The total is one counter taken by compare-and-set before anything per client is touched, so a
 * flood from many addresses is refused without creating entries. Per-client state ({@link ClientConnections}) sits
 * in a {@link ConcurrentHashMap} and leaves it when its last connection closes with a full bucket, or at the next
 * {@link #evictIdle()}, which the owner schedules (every few seconds) for addresses that were rate-limited and went
 * quiet. Entries are therefore bounded by open connections plus addresses seen within one bucket refill.
 *
 * <p>The key is whatever identifies a client: the remote IP as text, or for IPv6 better its /64 prefix, since one
 * host commonly owns a whole /64.
 */
public final class ConnectionLimits {
    public enum Verdict {
        ACCEPTED,
        /** The gateway has {@code maxConnections} open. */
        TOO_MANY_CONNECTIONS,
        /** This client has {@code maxConnectionsPerClient} open. */
        TOO_MANY_FROM_CLIENT,
        /** This client opened connections faster than {@code newConnectionsPerSecond} beyond its burst. */
        TOO_FAST_FROM_CLIENT
    }

    private final int maxConnections;
    private final int maxPerClient;
    private final long intervalNanos;
    private final long toleranceNanos;
    private final int maxRequestsPerConnection;
    private final LongSupplier nanoClock;
    private final boolean perClient;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<String, ClientConnections> clients = new ConcurrentHashMap<>();

    private ConnectionLimits(Builder b) {
        this.maxConnections = b.maxConnections;
        this.maxPerClient = b.maxConnectionsPerClient;
        this.maxRequestsPerConnection = b.maxRequestsPerConnection;
        this.nanoClock = b.nanoClock;
        if (b.newConnectionsPerSecond > 0) {
            this.intervalNanos = Math.max(1, (long) (1e9 / b.newConnectionsPerSecond));
            this.toleranceNanos = (b.burst - 1) * intervalNanos;
        } else {
            this.intervalNanos = 0;
            this.toleranceNanos = 0;
        }
        this.perClient = maxPerClient != Integer.MAX_VALUE || intervalNanos > 0;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Decides whether a just-accepted connection from {@code client} may stay open. */
    public Verdict tryOpen(String client) {
        Objects.requireNonNull(client, "client must not be null");
        if (!takeTotal()) {
            return Verdict.TOO_MANY_CONNECTIONS;
        }
        if (!perClient) {
            return Verdict.ACCEPTED;
        }
        long now = nanoClock.getAsLong();
        for (;;) {
            ClientConnections c = clients.get(client);
            if (c == null) {
                ClientConnections fresh = new ClientConnections(now);
                c = clients.putIfAbsent(client, fresh);
                if (c == null) {
                    c = fresh;
                }
            }
            switch (c.tryOpen(maxPerClient)) {
                case RETIRED -> {
                    clients.remove(client, c);
                    continue; // it left the map as we found it: use a new entry
                }
                case FULL -> {
                    total.decrementAndGet();
                    return Verdict.TOO_MANY_FROM_CLIENT;
                }
                case OPENED -> {
                    if (intervalNanos == 0 || c.tryTakeToken(now, intervalNanos, toleranceNanos)) {
                        return Verdict.ACCEPTED;
                    }
                    closeIn(client, c, now);
                    total.decrementAndGet();
                    return Verdict.TOO_FAST_FROM_CLIENT;
                }
                default -> throw new AssertionError();
            }
        }
    }

    /** Forgets a connection that {@link #tryOpen} accepted. */
    public void close(String client) {
        Objects.requireNonNull(client, "client must not be null");
        int left = total.decrementAndGet();
        assert left >= 0 : "close without an accepted open";
        if (!perClient) {
            return;
        }
        ClientConnections c = clients.get(client);
        if (c == null) {
            throw new IllegalStateException("close for " + client + " without an accepted tryOpen");
        }
        closeIn(client, c, nanoClock.getAsLong());
    }

    /** A fresh request budget for a new connection; shared and stateless when there is no limit. */
    public RequestBudget requestBudget() {
        return maxRequestsPerConnection == Integer.MAX_VALUE
                ? RequestBudget.UNLIMITED
                : new RequestBudget(maxRequestsPerConnection);
    }

    /**
     * Drops the entries of clients with no open connection whose bucket has refilled.
     *
     * @return how many were dropped
     */
    public int evictIdle() {
        long now = nanoClock.getAsLong();
        int evicted = 0;
        for (var e : clients.entrySet()) {
            if (e.getValue().tryRetire(now) && clients.remove(e.getKey(), e.getValue())) {
                evicted++;
            }
        }
        return evicted;
    }

    public int openConnections() {
        return total.get();
    }

    public int openConnections(String client) {
        ClientConnections c = clients.get(client);
        return c == null ? 0 : c.open();
    }

    /** Client entries held now; for metrics, and for tests that check entries do not pile up. */
    public int trackedClients() {
        return clients.size();
    }

    private boolean takeTotal() {
        for (;;) {
            int n = total.get();
            if (n >= maxConnections) {
                return false;
            }
            if (total.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    private void closeIn(String client, ClientConnections c, long now) {
        if (c.close() == 0 && c.tryRetire(now)) {
            clients.remove(client, c);
        }
    }

    /**
     * Settings; {@link #build()} checks them and names the offending field. Every limit is off unless set.
     */
    public static final class Builder {
        private int maxConnections = Integer.MAX_VALUE;
        private int maxConnectionsPerClient = Integer.MAX_VALUE;
        private double newConnectionsPerSecond;
        private int burst = 1;
        private int maxRequestsPerConnection = Integer.MAX_VALUE;
        private LongSupplier nanoClock = System::nanoTime;

        private Builder() {
        }

        public Builder maxConnections(int v) {
            this.maxConnections = v;
            return this;
        }

        public Builder maxConnectionsPerClient(int v) {
            this.maxConnectionsPerClient = v;
            return this;
        }

        /** New connections a client may open per second after an initial {@code burst}. */
        public Builder newConnectionRate(double perSecond, int burst) {
            this.newConnectionsPerSecond = perSecond;
            this.burst = burst;
            return this;
        }

        public Builder maxRequestsPerConnection(int v) {
            this.maxRequestsPerConnection = v;
            return this;
        }

        public Builder nanoClock(LongSupplier v) {
            this.nanoClock = v;
            return this;
        }

        public ConnectionLimits build() {
            if (maxConnections < 1) {
                throw new IllegalArgumentException("max_connections must be >= 1, was " + maxConnections);
            }
            if (maxConnectionsPerClient < 1) {
                throw new IllegalArgumentException("max_connections_per_client must be >= 1, was "
                        + maxConnectionsPerClient);
            }
            if (!(newConnectionsPerSecond >= 0 && newConnectionsPerSecond <= 1e9)) {
                throw new IllegalArgumentException("new_connections_per_second must be in [0, 1e9], was "
                        + newConnectionsPerSecond);
            }
            if (burst < 1) {
                throw new IllegalArgumentException("new_connection_burst must be >= 1, was " + burst);
            }
            if (maxRequestsPerConnection < 1) {
                throw new IllegalArgumentException("max_requests_per_connection must be >= 1, was "
                        + maxRequestsPerConnection);
            }
            Objects.requireNonNull(nanoClock, "nano_clock must not be null");
            return new ConnectionLimits(this);
        }
    }
}
