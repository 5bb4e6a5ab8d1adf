package io.portcullis.ratelimit.anomaly;

import io.portcullis.testing.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;

/**
 * Scripted traffic against a detector on a manual clock: each simulated second, the script records its
 * observations, then the clock moves a second and the detector ticks, as the gateway's control thread would. The
 * listener's events are collected, stamped with the simulated second they happened in.
 */
final class Simulation {
    static final Instant EPOCH = Instant.parse("2026-03-01T12:00:00Z");

    record Event(String kind, long second, AnomalyAction action) {}

    interface Script {
        void second(long second, Simulation sim);
    }

    final ManualClock clock = new ManualClock();
    final List<Event> events = new CopyOnWriteArrayList<>();
    final List<AnomalyKey> dropped = new CopyOnWriteArrayList<>();
    final DefaultAnomalyDetector detector;
    /** Seeded, so a failure replays; {@code -Dportcullis.anomaly.seed=N} runs the same scripts on other noise. */
    final Random random = new Random(Long.getLong("portcullis.anomaly.seed", 42));
    private long second;

    Simulation() {
        this(AnomalyRules.DEFAULT);
    }

    Simulation(AnomalyRules rules) {
        this(DefaultAnomalyDetector.builder().rules(rules));
    }

    Simulation(DefaultAnomalyDetector.Builder builder) {
        this.detector = builder
                .nanoClock(clock)
                .wallClock(Clock.fixed(EPOCH, ZoneOffset.UTC))
                .executor(Runnable::run)
                .listener(new AnomalyListener() {
                    @Override
                    public void onRaised(AnomalyAction action) {
                        events.add(new Event("raised", second, action));
                    }

                    @Override
                    public void onLifted(AnomalyAction action) {
                        events.add(new Event("lifted", second, action));
                    }

                    @Override
                    public void onExpired(AnomalyAction action) {
                        events.add(new Event("expired", second, action));
                    }

                    @Override
                    public void onDropped(Rule rule, AnomalyKey key) {
                        dropped.add(key);
                    }
                })
                .build();
    }

    /** Runs {@code seconds} simulated seconds of {@code script}; returns the second the run started at. */
    long run(int seconds, Script script) {
        long start = second;
        for (int i = 0; i < seconds; i++) {
            script.second(second - start, this);
            clock.advance(Duration.ofSeconds(1));
            second++;
            detector.tick();
        }
        return start;
    }

    long now() {
        return second;
    }

    /** {@code count} responses of one client with one status, paths from {@code path}. */
    void send(String ip, String consumer, String route, int count, int status, IntFunction<String> path) {
        for (int i = 0; i < count; i++) {
            detector.record(new Observation(ip, consumer, route, status, path.apply(i)));
        }
    }

    void send(String ip, String consumer, String route, int count, int status) {
        send(ip, consumer, route, count, status, i -> "/api/items");
    }

    /** {@code rate} with ±{@code noise} uniform jitter, rounded at random so the mean stays {@code rate}. */
    int jitter(double rate, double noise) {
        double r = rate * (1 + noise * (2 * random.nextDouble() - 1));
        int whole = (int) r;
        return whole + (random.nextDouble() < r - whole ? 1 : 0);
    }

    List<Event> raised() {
        return events.stream().filter(e -> e.kind().equals("raised")).toList();
    }

    List<Event> of(String kind) {
        return events.stream().filter(e -> e.kind().equals(kind)).toList();
    }
}
