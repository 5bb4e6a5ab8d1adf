package io.portcullis.ratelimit.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class KeyCountersTest {
    @Test
    void responsesAreCountedByClassAndEachRollReportsOnlyItsSecond() {
        KeyCounters counts = new KeyCounters();
        counts.count(200, "/a");
        counts.count(401, "/login");
        counts.count(403, "/admin");
        counts.count(404, "/x");
        counts.count(404, "/y");
        counts.count(502, "/a");
        counts.roll(1);
        assertThat(counts.secondRequests()).isEqualTo(6);
        assertThat(counts.secondAuthFailures()).isEqualTo(2);
        assertThat(counts.secondNotFound()).isEqualTo(2);
        assertThat(counts.secondServerErrors()).isEqualTo(1);
        assertThat(PathSketch.estimate(counts.secondPaths())).isEqualTo(2);

        counts.count(200, "/a");
        counts.roll(1);
        assertThat(counts.secondRequests()).isEqualTo(1);
        assertThat(counts.secondAuthFailures()).isZero();
        assertThat(counts.secondNotFound()).isZero();
        assertThat(counts.secondPaths()).isZero();
        assertThat(counts.idleSeconds()).isZero();

        counts.roll(1);
        counts.roll(0.5);
        assertThat(counts.idleSeconds()).isEqualTo(1.5);
        counts.count(200, null);
        counts.roll(1);
        assertThat(counts.idleSeconds()).isZero();
    }

    @Test
    void noCountIsLostOrDoubledWhenEventLoopsRecordWhileTheTickRolls() throws Exception {
        KeyCounters counts = new KeyCounters();
        int threads = 4;
        int perThread = 200_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> loops = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread loop = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    counts.count(i % 10 == 0 ? 404 : 200, "/p" + (i & 7));
                }
            });
            loop.start();
            loops.add(loop);
        }
        long requests = 0;
        long notFound = 0;
        start.countDown();
        while (loops.stream().anyMatch(Thread::isAlive)) {
            counts.roll(1);
            requests += counts.secondRequests();
            notFound += counts.secondNotFound();
        }
        for (Thread loop : loops) {
            loop.join();
        }
        counts.roll(1);
        requests += counts.secondRequests();
        notFound += counts.secondNotFound();

        assertThat(requests).isEqualTo((long) threads * perThread);
        assertThat(notFound).isEqualTo((long) threads * perThread / 10);
    }
}
