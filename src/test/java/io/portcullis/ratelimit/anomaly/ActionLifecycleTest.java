package io.portcullis.ratelimit.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.ratelimit.anomaly.Simulation.Event;
import io.portcullis.testing.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Actions expire by themselves, an operator can lift them, and the strongest one on a request's keys wins. */
class ActionLifecycleTest {
    private static final String ATTACKER = "203.0.113.50";

    private static void stuffing(long s, Simulation sim) {
        sim.send(ATTACKER, null, "login", 10, 401, i -> "/login");
    }

    @Test
    void anActionExpiresByItselfAndIsRaisedAgainIfTheAttackGoesOn() {
        Simulation sim = new Simulation();
        sim.run(10, ActionLifecycleTest::stuffing);
        AnomalyAction first = sim.raised().get(0).action();
        long raisedAt = sim.raised().get(0).second();

        sim.run((int) (15 * 60 - (sim.now() - raisedAt)) - 1, (s, x) -> { });
        assertThat(sim.detector.active()).containsExactly(first);
        assertThat(sim.detector.check(ATTACKER, null, null).kind()).isEqualTo(Action.Kind.BLOCK);

        sim.run(1, (s, x) -> { });
        assertThat(sim.of("expired")).singleElement().satisfies(e -> {
            assertThat(e.action()).isEqualTo(first);
            assertThat(e.second() - raisedAt).isEqualTo(15 * 60);
        });
        assertThat(sim.detector.active()).isEmpty();
        assertThat(sim.detector.check(ATTACKER, null, null)).isSameAs(Action.NONE);

        sim.run(10, ActionLifecycleTest::stuffing);
        assertThat(sim.raised()).hasSize(2);
        assertThat(sim.raised().get(1).action().id()).isNotEqualTo(first.id());
    }

    @Test
    void theCheckStopsEnforcingAtExpiryEvenBeforeTheTickSweeps() {
        Simulation sim = new Simulation();
        sim.run(10, ActionLifecycleTest::stuffing);
        Action block = sim.detector.check(ATTACKER, null, null);
        sim.clock.advanceNanos(block.expiresAtNanos() - sim.clock.getAsLong());

        assertThat(sim.detector.check(ATTACKER, null, null)).isSameAs(Action.NONE);
    }

    @Test
    void anOperatorLiftsAnActionAndTheRuleStaysQuietOnThatKeyUntilItWouldHaveExpired() {
        Simulation sim = new Simulation();
        sim.run(10, ActionLifecycleTest::stuffing);
        AnomalyAction action = sim.raised().get(0).action();

        assertThat(sim.detector.lift(action.id())).contains(action);
        assertThat(sim.of("lifted")).extracting(Event::action).containsExactly(action);
        assertThat(sim.detector.active()).isEmpty();
        assertThat(sim.detector.check(ATTACKER, null, null)).isSameAs(Action.NONE);
        assertThat(sim.detector.lift(action.id())).isEmpty();
        assertThat(sim.detector.lift("credential_stuffing-999")).isEmpty();

        sim.run(60, ActionLifecycleTest::stuffing);
        assertThat(sim.raised()).hasSize(1);

        sim.run(15 * 60, ActionLifecycleTest::stuffing);
        assertThat(sim.raised()).hasSize(2);
        assertThat(sim.of("expired")).isEmpty(); // a lifted action's end is no news
    }

    @Test
    void aBlockBeatsAThrottleAndTheSlowerThrottleBeatsTheFaster() {
        Simulation sim = new Simulation();
        // A new IP sending 1000 failed logins a second: a flood (throttle) and credential stuffing (block).
        sim.run(10, (s, x) -> x.send(ATTACKER, null, "login", 1_000, 401));

        assertThat(sim.raised()).extracting(e -> e.action().rule())
                .containsExactlyInAnyOrder(Rule.REQUEST_FLOOD, Rule.CREDENTIAL_STUFFING);
        assertThat(sim.detector.check(ATTACKER, null, null).kind()).isEqualTo(Action.Kind.BLOCK);

        AnomalyAction block = sim.raised().stream().map(Event::action)
                .filter(a -> a.action() == ActionType.BLOCK).findFirst().orElseThrow();
        sim.detector.lift(block.id());
        assertThat(sim.detector.check(ATTACKER, null, null).kind()).isEqualTo(Action.Kind.THROTTLE);
    }

    @Test
    void findingsBeyondMaxActionsAreDroppedAndReported() {
        Simulation sim = new Simulation(DefaultAnomalyDetector.builder().maxActions(2));
        sim.run(10, (s, x) -> {
            for (int i = 0; i < 3; i++) {
                x.send("203.0.113." + i, null, "login", 10, 401);
            }
        });

        assertThat(sim.detector.active()).hasSize(2);
        assertThat(sim.dropped).isNotEmpty();
    }

    @Test
    void aThrottleAdmitsItsRateWithABurstOfOneSecond() {
        Simulation sim = new Simulation();
        sim.run(300, (s, x) -> x.send(ATTACKER, null, "catalog", 20, 200));
        sim.run(5, (s, x) -> x.send(ATTACKER, null, "catalog", 500, 200));
        Action throttle = sim.detector.check(ATTACKER, null, null);
        assertThat(throttle.cause().limitPerSecond()).isEqualTo(20.0);

        long now = sim.clock.getAsLong();
        assertThat(admitted(throttle, now, 100)).isEqualTo(20);
        assertThat(admitted(throttle, now + 500_000_000L, 100)).isEqualTo(10);
        assertThat(admitted(throttle, now + 10_000_000_000L, 100)).isEqualTo(20);
    }

    @Test
    void listenerFailuresAreLoggedAndDoNotStopTheTick() {
        List<String> seen = new CopyOnWriteArrayList<>();
        ManualClock clock = new ManualClock();
        DefaultAnomalyDetector detector = DefaultAnomalyDetector.builder()
                .nanoClock(clock)
                .executor(Runnable::run)
                .listener(new AnomalyListener() {
                    @Override
                    public void onRaised(AnomalyAction action) {
                        seen.add(action.key().value());
                        throw new IllegalStateException("listener bug");
                    }
                })
                .build();
        for (int s = 0; s < 10; s++) {
            for (int i = 0; i < 2; i++) {
                for (int k = 0; k < 10; k++) {
                    detector.record("203.0.113." + i, null, null, 401, "/login");
                }
            }
            clock.advance(Duration.ofSeconds(1));
            detector.tick();
        }

        assertThat(seen).containsExactlyInAnyOrder("203.0.113.0", "203.0.113.1");
        assertThat(detector.active()).hasSize(2);
    }

    private static int admitted(Action throttle, long now, int tries) {
        int admitted = 0;
        for (int i = 0; i < tries; i++) {
            if (throttle.admit(now)) {
                admitted++;
            }
        }
        return admitted;
    }
}
