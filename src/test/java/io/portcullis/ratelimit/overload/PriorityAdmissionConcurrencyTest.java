package io.portcullis.ratelimit.overload;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real threads standing in for event loops: one request's callbacks always run on its own loop. */
class PriorityAdmissionConcurrencyTest {
    private final List<ExecutorService> loops = new ArrayList<>();

    private List<ExecutorService> loops(int n) {
        for (int i = 0; i < n; i++) {
            String name = "loop-" + i;
            loops.add(Executors.newSingleThreadExecutor(r -> new Thread(r, name)));
        }
        return loops;
    }

    @AfterEach
    void stopLoops() throws InterruptedException {
        for (ExecutorService loop : loops) {
            loop.shutdownNow();
            assertThat(loop.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void manyLoopsNeverExceedTheLimitAndEveryRequestIsToldOnceOnItsOwnLoop() throws Exception {
        int limit = 4;
        int requests = 20_000;
        List<ExecutorService> loops = loops(4);
        PriorityAdmission admission = PriorityAdmission.builder(ConcurrencyLimit.fixed(limit)).classes(3)
                .maxQueuedPerClass(50).maxQueued(80).maxQueueTime(Duration.ofSeconds(30)).build();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostRunning = new AtomicInteger();
        AtomicInteger admitted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicIntegerArray refusedByClass = new AtomicIntegerArray(3);
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        CountDownLatch told = new CountDownLatch(requests);

        for (int i = 0; i < requests; i++) {
            ExecutorService loop = loops.get(i % loops.size());
            ExecutorService other = loops.get((i + 1) % loops.size());
            String home = "loop-" + (i % loops.size());
            int priority = i % 3;
            loop.execute(() -> admission.tryAcquire(priority, loop, new AdmissionCallback() {
                private final AtomicInteger calls = new AtomicInteger();

                @Override
                public void onAdmitted(Permit permit) {
                    check();
                    mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                    admitted.incrementAndGet();
                    // the exchange ends on another loop half the time, as when a backend answers elsewhere
                    (ThreadLocalRandom.current().nextBoolean() ? loop : other).execute(() -> {
                        running.decrementAndGet();
                        admission.release(permit, 1_000, true);
                        told.countDown();
                    });
                }

                @Override
                public void onRefused(Permit permit, Refusal reason, Duration retryAfter) {
                    check();
                    refused.incrementAndGet();
                    refusedByClass.incrementAndGet(permit.priority());
                    told.countDown();
                }

                private void check() {
                    if (calls.incrementAndGet() != 1) {
                        wrong.add("told twice");
                    }
                    if (!Thread.currentThread().getName().equals(home)) {
                        wrong.add("told on " + Thread.currentThread().getName() + " instead of " + home);
                    }
                }
            }));
        }

        assertThat(told.await(30, TimeUnit.SECONDS)).as("every request told").isTrue();
        assertThat(wrong).isEmpty();
        assertThat(mostRunning.get()).isLessThanOrEqualTo(limit);
        assertThat(admitted.get() + refused.get()).isEqualTo(requests);
        // The flood outruns the releases, so most are refused; the lower the class, the more.
        assertThat(refusedByClass.get(0)).isGreaterThan(refusedByClass.get(1));
        assertThat(refusedByClass.get(1)).isGreaterThan(refusedByClass.get(2));
        assertThat(admission.inFlight()).isZero();
        assertThat(admission.queued()).isZero();
    }
}
