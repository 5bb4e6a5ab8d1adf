package io.portcullis.ratelimit.overload;

import java.util.ArrayDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deliberately slow backend for overload simulations: it serves {@code capacity} calls at once, each taking
 * {@code serviceMillis}, and queues the rest in arrival order, the way a thread-per-request server with a fixed
 * pool behaves. Nothing blocks: a call finishing starts the next one on a timer thread, which then runs the
 * caller's completion.
 */
final class SlowBackend implements AutoCloseable {
    private final int capacity;
    private final long serviceMillis;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "slow-backend"));
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    private final AtomicInteger served = new AtomicInteger();
    private int busy;
    private int mostWaiting;

    SlowBackend(int capacity, long serviceMillis) {
        this.capacity = capacity;
        this.serviceMillis = serviceMillis;
    }

    /** Serves one call; {@code done} runs on the backend's timer thread when it is answered. */
    synchronized void call(Runnable done) {
        if (busy < capacity) {
            start(done);
        } else {
            waiting.addLast(done);
            mostWaiting = Math.max(mostWaiting, waiting.size());
        }
    }

    int served() {
        return served.get();
    }

    synchronized int mostWaiting() {
        return mostWaiting;
    }

    private void start(Runnable done) {
        busy++;
        timer.schedule(() -> finish(done), serviceMillis, TimeUnit.MILLISECONDS);
    }

    private void finish(Runnable done) {
        synchronized (this) {
            busy--;
            served.incrementAndGet();
            Runnable next = waiting.pollFirst();
            if (next != null) {
                start(next);
            }
        }
        done.run();
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(5, TimeUnit.SECONDS);
    }
}
