package io.portcullis.ratelimit.overload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The priority proof without sockets: a backend that serves 10 calls at once in 50 ms (200 per second)
 * behind an {@link AdaptiveLimit} and a {@link PriorityAdmission} on two stand-in event loops, offered three times
 * its capacity. High-priority traffic (half the capacity) must keep at least 99% success while the low class,
 * offered the rest, is shed. The limit starts at 100, far above what the backend takes, so the run also shows it
 * being learnt under load.
 */
class OverloadSimulationTest {
    private static final Logger LOG = LoggerFactory.getLogger(OverloadSimulationTest.class);

    private static final int HIGH = 1;
    private static final int LOW = 0;
    private static final int CAPACITY = 10;
    private static final long SERVICE_MILLIS = 50;

    private final List<ExecutorService> loops = new ArrayList<>();
    private final ScheduledExecutorService ticker =
            Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "load"));
    private final SlowBackend backend = new SlowBackend(CAPACITY, SERVICE_MILLIS);

    private final AtomicIntegerArray offered = new AtomicIntegerArray(2);
    private final AtomicIntegerArray succeeded = new AtomicIntegerArray(2);
    private final AtomicIntegerArray timedOut = new AtomicIntegerArray(2);
    private final AtomicIntegerArray full = new AtomicIntegerArray(2);
    private final AtomicIntegerArray displaced = new AtomicIntegerArray(2);
    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final ConcurrentLinkedQueue<Long> highMillis = new ConcurrentLinkedQueue<>();

    @AfterEach
    void stop() throws InterruptedException {
        ticker.shutdownNow();
        for (ExecutorService loop : loops) {
            loop.shutdownNow();
            loop.awaitTermination(5, TimeUnit.SECONDS);
        }
        backend.close();
    }

    @Test
    void atThreeTimesCapacityTheHighClassKeeps99PercentAndTheLowClassIsShed() throws Exception {
        for (int i = 0; i < 2; i++) {
            String name = "loop-" + i;
            loops.add(Executors.newSingleThreadExecutor(r -> new Thread(r, name)));
        }
        AdaptiveLimit limit = AdaptiveLimit.builder().initialLimit(100).minLimit(5).maxLimit(200).build();
        PriorityAdmission admission = PriorityAdmission.builder(limit).classes(2).maxQueuedPerClass(100)
                .maxQueueTime(Duration.ofMillis(500)).build();
        ScheduledFuture<?> sweeper = ticker.scheduleAtFixedRate(admission::expireOverdue, 20, 20,
                TimeUnit.MILLISECONDS);

        // Warm-up, one second at half the capacity: the limit learns the backend's unloaded round trip.
        run(admission, Duration.ofSeconds(1), new int[] {LOW, HIGH}, false);
        long baseline = limit.baselineNanos();
        int limitBefore = limit.limit();
        resetCounters();

        // Overload, four seconds at 600 per second: 100 high (half the capacity) and 500 low.
        int servedBefore = backend.served();
        long start = System.nanoTime();
        List<Integer> limitTrace = run(admission, Duration.ofSeconds(4),
                new int[] {HIGH, LOW, LOW, LOW, LOW, LOW}, true);
        double seconds = (System.nanoTime() - start) / 1e9;
        int servedDuring = backend.served() - servedBefore;
        await().atMost(Duration.ofSeconds(5)).until(() -> outstanding.get() == 0);
        sweeper.cancel(false);

        double high = 100.0 * succeeded.get(HIGH) / offered.get(HIGH);
        double low = 100.0 * succeeded.get(LOW) / offered.get(LOW);
        List<Long> latencies = highMillis.stream().sorted().toList();
        String report = String.format(
                "warm-up: baseline %.1f ms, limit %d%n"
                        + "overload %.1f s: high %d offered, %d ok (%.2f%%), %d timed out, %d full, %d displaced; "
                        + "latency p50 %d ms, p99 %d ms, max %d ms%n"
                        + "                 low %d offered, %d ok (%.2f%%), %d timed out, %d full, %d displaced%n"
                        + "backend served %d (%.0f/s of %d/s), at most %d waiting at the backend; "
                        + "gateway in flight at most %d; limit every 0.5 s: %s",
                baseline / 1e6, limitBefore, seconds,
                offered.get(HIGH), succeeded.get(HIGH), high, timedOut.get(HIGH), full.get(HIGH), displaced.get(HIGH),
                percentile(latencies, 50), percentile(latencies, 99), percentile(latencies, 100),
                offered.get(LOW), succeeded.get(LOW), low, timedOut.get(LOW), full.get(LOW), displaced.get(LOW),
                servedDuring, servedDuring / seconds, CAPACITY * 1000 / SERVICE_MILLIS, backend.mostWaiting(),
                maxInFlight.get(), limitTrace);
        LOG.info(report);

        assertThat(offered.get(HIGH)).as(report).isGreaterThan(300);
        assertThat(high).as(report).isGreaterThanOrEqualTo(99.0);
        assertThat(low).as(report).isLessThan(40.0);
        assertThat(limitTrace.get(limitTrace.size() - 1)).as("limit learnt: %s", report).isLessThan(40);
        // Shedding must not starve the backend: it stays close to its capacity.
        assertThat(servedDuring / seconds).as(report).isGreaterThan(0.8 * CAPACITY * 1000 / SERVICE_MILLIS);
        assertThat(admission.inFlight()).isZero();
        assertThat(admission.queued()).isZero();
    }

    /**
     * Offers one request per entry of {@code pattern} every 10 ms (the first entry only, if not {@code full}),
     * spread over the loops, for {@code duration}.
     *
     * @return the limit, sampled every 500 ms
     */
    private List<Integer> run(PriorityAdmission admission, Duration duration, int[] pattern, boolean full)
            throws Exception {
        AtomicInteger tick = new AtomicInteger();
        List<Integer> trace = new ArrayList<>();
        int ticks = (int) (duration.toMillis() / 10);
        ScheduledFuture<?> load = ticker.scheduleAtFixedRate(() -> {
            int t = tick.getAndIncrement();
            if (t >= ticks) {
                return;
            }
            if (t % 50 == 0) {
                synchronized (trace) {
                    trace.add(admission.limit());
                }
            }
            int n = full ? pattern.length : 1;
            for (int i = 0; i < n; i++) {
                int priority = full ? pattern[i] : pattern[t % pattern.length];
                ExecutorService loop = loops.get((t + i) % loops.size());
                loop.execute(() -> offer(admission, loop, priority));
            }
        }, 0, 10, TimeUnit.MILLISECONDS);
        await().atMost(duration.plusSeconds(5)).until(() -> tick.get() >= ticks);
        load.cancel(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> outstanding.get() == 0);
        synchronized (trace) {
            return List.copyOf(trace);
        }
    }

    private static long percentile(List<Long> sorted, int p) {
        return sorted.isEmpty() ? -1 : sorted.get(Math.max(0, (int) Math.ceil(sorted.size() * p / 100.0) - 1));
    }

    /** What the overload filter does for one request, on its loop. */
    private void offer(PriorityAdmission admission, ExecutorService loop, int priority) {
        long arrived = System.nanoTime();
        offered.incrementAndGet(priority);
        outstanding.incrementAndGet();
        admission.tryAcquire(priority, loop, new AdmissionCallback() {
            @Override
            public void onAdmitted(Permit permit) {
                maxInFlight.accumulateAndGet(admission.inFlight(), Math::max);
                long sent = System.nanoTime();
                backend.call(() -> loop.execute(() -> {
                    admission.release(permit, System.nanoTime() - sent, true);
                    succeeded.incrementAndGet(priority);
                    if (priority == HIGH) {
                        highMillis.add((System.nanoTime() - arrived) / 1_000_000);
                    }
                    outstanding.decrementAndGet();
                }));
            }

            @Override
            public void onRefused(Permit permit, Refusal reason, Duration retryAfter) {
                switch (reason) {
                    case QUEUE_TIMEOUT -> timedOut.incrementAndGet(priority);
                    case QUEUE_FULL -> full.incrementAndGet(priority);
                    case DISPLACED -> displaced.incrementAndGet(priority);
                    default -> throw new AssertionError(reason);
                }
                outstanding.decrementAndGet();
            }
        });
    }

    private void resetCounters() {
        for (int c = 0; c < 2; c++) {
            offered.set(c, 0);
            succeeded.set(c, 0);
            timedOut.set(c, 0);
            full.set(c, 0);
            displaced.set(c, 0);
        }
        maxInFlight.set(0);
        highMillis.clear();
    }
}
