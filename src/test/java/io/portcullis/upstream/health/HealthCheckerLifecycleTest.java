package io.portcullis.upstream.health;

import static io.portcullis.upstream.health.Checks.soon;
import static io.portcullis.upstream.health.Checks.target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.portcullis.config.ClusterConfig;
import io.portcullis.config.ClusterConfig.StatusRange;
import io.portcullis.upstream.health.StatusBackend.Served;
import io.portcullis.upstream.health.Transitions.Transition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Carried-over state, scheduling (first check, jitter) and close, against real backends on 127.0.0.1. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HealthCheckerLifecycleTest {
    private static final MultiThreadIoEventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(2,
            NioIoHandler.newFactory());

    @AfterAll
    static void shutdown() {
        GROUP.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    @Test
    void knownUnhealthyStaysUnhealthyUntilHealthyThresholdPasses() throws Exception {
        try (StatusBackend backend = new StatusBackend(200)) {
            Transitions transitions = new Transitions(GROUP, backend::requestCount);
            try (HealthChecker checker = Checks.start(Checks.http("/healthz", null, 3, 1), GROUP, transitions,
                    target(backend.address(), false))) {
                assertThat(checker.healthy(0)).isFalse();
                soon().until(() -> transitions.size() == 1);
                assertThat(transitions.all()).containsExactly(new Transition(0, true, "status 200", true, 3));
                assertThat(checker.healthy(0)).isTrue();
            }
        }
    }

    @Test
    void knownHealthyIsNotUndoneByOneFailure() throws Exception {
        try (StatusBackend backend = new StatusBackend(503)) {
            Transitions transitions = new Transitions(GROUP, backend::requestCount);
            try (HealthChecker checker = Checks.start(Checks.http("/healthz", null, 2, 3), GROUP, transitions,
                    target(backend.address(), true))) {
                soon().until(() -> transitions.size() == 1);
                assertThat(transitions.all()).containsExactly(
                        new Transition(0, false, "status 503 not in expected statuses", true, 3));
                assertThat(checker.healthy(0)).isFalse();
            }
        }
    }

    @Test
    void firstCheckRunsAtStartNotAfterAnInterval() throws Exception {
        ClusterConfig.HealthCheck hourly = Checks.config(null, Duration.ofHours(1), Duration.ZERO,
                Duration.ofSeconds(1), 2, 3);
        try (StatusBackend a = new StatusBackend(200); StatusBackend b = new StatusBackend(200);
                HealthChecker checker = Checks.start(hourly, GROUP, new Transitions(GROUP),
                        target(a.address(), null), target(b.address(), null))) {
            soon().until(() -> a.accepted() == 1 && b.accepted() == 1);
            assertThat(checker.healthy(0)).isTrue();
            assertThat(checker.healthy(1)).isTrue();
        }
    }

    @Test
    void throwingListenerDoesNotStopTheChecks() throws Exception {
        try (StatusBackend backend = new StatusBackend(503);
                HealthChecker checker = Checks.start(Checks.http("/healthz", null, 1, 1), GROUP,
                        (index, healthy, reason) -> {
                            throw new IllegalStateException("listener bug");
                        }, target(backend.address(), null))) {
            soon().until(() -> backend.requestCount() >= 2);
            backend.status(200);
            soon().until(() -> checker.healthy(0));
        }
    }

    @Test
    void closeStopsChecksAndCallbacks() throws Exception {
        try (StatusBackend backend = new StatusBackend(200)) {
            Transitions transitions = new Transitions(GROUP);
            HealthChecker checker = Checks.start(Checks.http("/healthz", null, 2, 1), GROUP, transitions,
                    target(backend.address(), null));
            soon().until(() -> backend.requestCount() >= 3);
            checker.close();
            backend.status(503); // would be a transition at the next check
            int seen = backend.requestCount();
            // A request written just before close may still reach the backend; fifteen intervals must not.
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1))
                    .until(() -> backend.requestCount() <= seen + 1);
            assertThat(transitions.all()).isEmpty();
            soon().until(() -> backend.openConnections() == 0);
            checker.close(); // idempotent
        }
    }

    @Test
    void closeClosesAnInFlightCheckConnection() throws Exception {
        ClusterConfig.HealthCheck patient = Checks.config(
                new ClusterConfig.Http("/healthz", null, List.of(StatusRange.SUCCESS)), Checks.INTERVAL,
                Duration.ZERO, Duration.ofSeconds(30), 2, 3);
        try (StatusBackend backend = new StatusBackend(StatusBackend.HANG)) {
            Transitions transitions = new Transitions(GROUP);
            HealthChecker checker = Checks.start(patient, GROUP, transitions, target(backend.address(), null));
            soon().until(() -> backend.requestCount() == 1);
            assertThat(backend.openConnections()).isEqualTo(1);
            checker.close();
            soon().until(() -> backend.openConnections() == 0);
            assertThat(backend.accepted()).isEqualTo(1);
            assertThat(transitions.all()).isEmpty();
        }
    }

    @Test
    void closedBeforeStartNeverChecks() throws Exception {
        try (StatusBackend backend = new StatusBackend(200)) {
            HealthChecker checker = new HealthChecker("api", Checks.tcp(2, 3), List.of(target(backend.address(), null)),
                    GROUP, NioSocketChannel.class, new SplittableRandom(7), new Transitions(GROUP));
            checker.close();
            checker.start();
            await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(1)).until(() -> backend.accepted() == 0);
        }
    }

    @Test
    void startingTwiceIsAProgrammerError() throws Exception {
        try (StatusBackend backend = new StatusBackend(200);
                HealthChecker checker = Checks.start(Checks.tcp(2, 3), GROUP, new Transitions(GROUP),
                        target(backend.address(), null))) {
            assertThatThrownBy(checker::start).isInstanceOf(IllegalStateException.class)
                    .hasMessage("health checker of cluster api already started");
        }
    }

    /**
     * Each check starts the interval plus its own jitter draw after the previous one ended. Never earlier, seen from
     * the backend: it answers before the checker sees the answer and sees the next request only after it is sent.
     * Not much later, seen from the checker itself: from the draw (made when a check ends) to the next check's
     * channel, only timer lateness is added, which stays small even on a busy machine (the backend's view would add
     * several thread wake-ups). The draws are recorded, so no statistics about the random source are needed.
     */
    @Test
    void eachCheckStartsIntervalPlusItsJitterAfterThePreviousOneEnded() throws Exception {
        Duration interval = Duration.ofMillis(20);
        Duration jitter = Duration.ofMillis(40);
        ClusterConfig.HealthCheck config = Checks.config(
                new ClusterConfig.Http("/healthz", null, List.of(StatusRange.SUCCESS)), interval, jitter,
                Duration.ofSeconds(1), 2, 3);
        RecordingRandom random = new RecordingRandom(new SplittableRandom(11));
        TimedChannel.OPENED.clear();
        try (StatusBackend backend = new StatusBackend(200);
                HealthChecker checker = new HealthChecker("api", config, List.of(target(backend.address(), null)),
                        GROUP, TimedChannel.class, random, new Transitions(GROUP))) {
            checker.start();
            soon().until(() -> backend.requestCount() >= 15);
            checker.close();
            List<Served> served = backend.served();
            List<Long> draws = random.draws();
            List<Long> drawnAt = random.drawnAt();
            List<Long> opened = List.copyOf(TimedChannel.OPENED);
            assertThat(random.bounds()).as("draws lie in 0..jitter").containsOnly(jitter.toNanos() + 1);
            assertThat(draws.stream().distinct().count()).as("jitter draws differ").isGreaterThan(5);
            assertThat(opened.get(0) - drawnAt.get(0)).as("first check").isGreaterThanOrEqualTo(draws.get(0));
            List<Long> lateness = new ArrayList<>();
            for (int n = 1; n < served.size(); n++) {
                long expected = interval.toNanos() + draws.get(n);
                assertThat(served.get(n).arrivedNanos() - served.get(n - 1).answeredNanos())
                        .as("gap before check %d, seen by the backend", n).isGreaterThanOrEqualTo(expected);
                long gap = opened.get(n) - drawnAt.get(n);
                assertThat(gap).as("gap before check %d, seen by the checker", n).isGreaterThanOrEqualTo(expected);
                lateness.add(gap - expected);
            }
            Collections.sort(lateness);
            assertThat(lateness.get(lateness.size() / 2)).as("median lateness")
                    .isLessThan(TimeUnit.MILLISECONDS.toNanos(10));
            assertThat(lateness.get(lateness.size() - 1)).as("largest lateness")
                    .isLessThan(TimeUnit.MILLISECONDS.toNanos(250));
        }
    }

    /** A check channel that notes when each check started (the checker creates one channel per check). */
    public static final class TimedChannel extends NioSocketChannel {
        static final Queue<Long> OPENED = new ConcurrentLinkedQueue<>();

        public TimedChannel() {
            OPENED.add(System.nanoTime());
        }
    }

    /** Records every bounded draw; the checker draws on its loop, the test reads afterwards. */
    private static final class RecordingRandom implements RandomGenerator {
        private final RandomGenerator delegate;
        private final List<Long> draws = new CopyOnWriteArrayList<>();
        private final List<Long> bounds = new CopyOnWriteArrayList<>();
        private final List<Long> drawnAt = new CopyOnWriteArrayList<>();

        RecordingRandom(RandomGenerator delegate) {
            this.delegate = delegate;
        }

        @Override
        public long nextLong() {
            return delegate.nextLong();
        }

        @Override
        public long nextLong(long bound) {
            drawnAt.add(System.nanoTime());
            long draw = delegate.nextLong(bound);
            bounds.add(bound);
            draws.add(draw);
            return draw;
        }

        List<Long> draws() {
            return List.copyOf(draws);
        }

        List<Long> drawnAt() {
            return List.copyOf(drawnAt);
        }

        List<Long> bounds() {
            return List.copyOf(bounds);
        }
    }
}
