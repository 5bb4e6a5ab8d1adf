package io.portcullis.ratelimit.redis;

import io.portcullis.ratelimit.Decision;
import io.portcullis.ratelimit.SharedRateLimiter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * Concurrent clients asking shared limiters about one key, each client keeping a few decisions in flight through
 * "its" gateway instance, until stopped; every outcome is recorded with the times it was asked and answered. Each
 * client asks at most once per {@link #PACE_NANOS}: decisions answered at once (local fallback, leases) would
 * otherwise spin the clients flat out and starve the Lettuce threads of a two-core machine.
 */
final class Load {
    /** One decision as a client saw it; {@code instance} is the index of the limiter that answered. */
    record Outcome(long askedAt, long answeredAt, Decision decision, int instance) {
        /** The best local estimate of when Redis decided: halfway through the round trip. */
        long decidedAt() {
            return askedAt + (answeredAt - askedAt) / 2;
        }

        long latencyNanos() {
            return answeredAt - askedAt;
        }
    }

    static final long PACE_NANOS = 250_000;

    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final List<Thread> clients = new ArrayList<>();
    private final List<Semaphore> inFlight = new ArrayList<>();
    private final int perClient;
    private volatile boolean stopped;

    private Load(int perClient) {
        this.perClient = perClient;
    }

    static Load start(List<? extends SharedRateLimiter> instances, String key, int clients, int perClient) {
        Load load = new Load(perClient);
        for (int c = 0; c < clients; c++) {
            int instance = c % instances.size();
            SharedRateLimiter limiter = instances.get(instance);
            Semaphore slots = new Semaphore(perClient);
            load.inFlight.add(slots);
            Thread t = new Thread(() -> {
                while (!load.stopped) {
                    try {
                        if (!slots.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                            continue;
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                    long asked = System.nanoTime();
                    limiter.decide(key, 1).whenComplete((d, e) -> {
                        load.outcomes.add(new Outcome(asked, System.nanoTime(), d, instance));
                        slots.release();
                    });
                    LockSupport.parkNanos(PACE_NANOS);
                }
            }, "load-client-" + c);
            load.clients.add(t);
            t.start();
        }
        return load;
    }

    /** Stops asking, waits for every decision in flight (failing if one never completes), returns all by time. */
    List<Outcome> stop() throws InterruptedException {
        stopped = true;
        for (Thread t : clients) {
            t.join();
        }
        for (Semaphore s : inFlight) {
            if (!s.tryAcquire(perClient, 5, TimeUnit.SECONDS)) {
                throw new AssertionError("a decision never completed");
            }
        }
        List<Outcome> all = new ArrayList<>(outcomes);
        all.sort(Comparator.comparingLong(Outcome::askedAt));
        return all;
    }

    static long count(List<Outcome> outcomes, Predicate<Outcome> which) {
        return outcomes.stream().filter(which).count();
    }

    /**
     * What a token bucket of {@code burst} and {@code perSecond} admits of these decisions, if it started full at
     * the first and demand never let it fill again: each decision was made between its asking and its answer, so
     * the limit allowed at most {@code burst + rate × (last answer − first question)} and, as the last refusal found
     * less than one permit, at least {@code burst + rate × (last refused question − first answer) − 1}.
     */
    record Bounds(double low, double high) {
        boolean contain(long admitted, double slack) {
            return admitted >= low - slack && admitted <= high + slack;
        }

        @Override
        public String toString() {
            return String.format("[%.1f, %.1f]", low, high);
        }
    }

    static Bounds bounds(List<Outcome> decisions, double burst, double perSecond) {
        long firstAsked = decisions.stream().mapToLong(Outcome::askedAt).min().orElseThrow();
        long firstAnswered = decisions.stream().mapToLong(Outcome::answeredAt).min().orElseThrow();
        long lastAnswered = decisions.stream().mapToLong(Outcome::answeredAt).max().orElseThrow();
        long lastRefusedAsked = decisions.stream().filter(o -> !o.decision().allowed())
                .mapToLong(Outcome::askedAt).max().orElseThrow();
        double perNano = perSecond / 1e9;
        return new Bounds(burst + perNano * (lastRefusedAsked - firstAnswered) - 1,
                burst + perNano * (lastAnswered - firstAsked));
    }

    /** Admitted decisions Redis surely made in [from, to): asked and answered inside it. */
    static long admittedSurelyBetween(List<Outcome> outcomes, long from, long to) {
        return count(outcomes, o -> o.decision().allowed() && o.askedAt() >= from && o.answeredAt() < to);
    }

    /** Admitted decisions Redis may have made in [from, to): their round trip overlaps it. */
    static long admittedPossiblyBetween(List<Outcome> outcomes, long from, long to) {
        return count(outcomes, o -> o.decision().allowed() && o.answeredAt() >= from && o.askedAt() < to);
    }

    /** Admitted decisions Redis made in [from, to), by {@link Outcome#decidedAt()}. */
    static long admittedBetween(List<Outcome> outcomes, long from, long to) {
        return count(outcomes, o -> o.decision().allowed() && o.decidedAt() >= from && o.decidedAt() < to);
    }
}
