package io.portcullis.ratelimit.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How the engine behaves as a component: allocation, key expiry, tick spacing, the switched-off detector. */
class DetectorMechanicsTest {
    @Test
    void checkAllocatesNothingWhetherOrNotAnActionIsInForce() {
        Simulation sim = new Simulation();
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();

        assertThat(allocatedByChecks(sim.detector, threads, id)).isZero();

        sim.run(10, (s, x) -> x.send("203.0.113.50", null, "login", 10, 401));
        assertThat(sim.detector.check("203.0.113.50", "c", "r").kind()).isEqualTo(Action.Kind.BLOCK);
        assertThat(allocatedByChecks(sim.detector, threads, id)).isZero();
    }

    private static long allocatedByChecks(AnomalyDetector detector, ThreadMXBean threads, long id) {
        int sink = 0;
        for (int i = 0; i < 20_000; i++) { // warm up, so the loop below runs compiled
            sink += detector.check("203.0.113.50", "c", "r").kind().ordinal();
            sink += detector.check("192.0.2.1", null, null).kind().ordinal();
        }
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < 100_000; i++) {
            sink += detector.check("203.0.113.50", "c", "r").kind().ordinal();
            sink += detector.check("192.0.2.1", null, null).kind().ordinal();
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertThat(sink).isNotNegative();
        // getThreadAllocatedBytes itself may allocate a little; 100 000 allocating calls would show kilobytes.
        return allocated < 1024 ? 0 : allocated;
    }

    @Test
    void idleKeysAreForgottenButTheirActionsStay() {
        Simulation sim = new Simulation(DefaultAnomalyDetector.builder().idleExpiry(Duration.ofMinutes(2)));
        sim.run(10, (s, x) -> {
            x.send("203.0.113.50", null, "login", 10, 401);
            x.send("192.0.2.1", "alice", "catalog", 2, 200);
        });
        assertThat(sim.detector.trackedKeys(AnomalyKey.Kind.CLIENT_IP)).isEqualTo(2);
        assertThat(sim.detector.trackedKeys(AnomalyKey.Kind.CONSUMER)).isEqualTo(1);
        assertThat(sim.detector.trackedKeys(AnomalyKey.Kind.ROUTE)).isEqualTo(2);

        sim.run(121, (s, x) -> x.send("192.0.2.1", "alice", "catalog", 2, 200));
        assertThat(sim.detector.trackedKeys(AnomalyKey.Kind.CLIENT_IP)).isEqualTo(1);
        assertThat(sim.detector.trackedKeys(AnomalyKey.Kind.ROUTE)).isEqualTo(1);
        assertThat(sim.detector.check("203.0.113.50", null, null).kind()).isEqualTo(Action.Kind.BLOCK);
    }

    @Test
    void aTickTooSoonAfterTheLastIsIgnoredAndALateOneMeasuresItsRealLength() {
        Simulation sim = new Simulation();
        // 500 requests per three seconds, ticked once: 167/s, not 500/s, which would be a flood for a new IP
        // (its baseline starts at the 100/s floor, so the threshold is 400/s).
        for (int i = 0; i < 500; i++) {
            sim.detector.record("192.0.2.1", null, null, 200, "/");
        }
        sim.clock.advance(Duration.ofMillis(300));
        sim.detector.tick(); // ignored: too soon after the detector was built
        sim.clock.advance(Duration.ofMillis(2_700));
        sim.detector.tick();
        for (int s = 0; s < 5; s++) {
            for (int i = 0; i < 500; i++) {
                sim.detector.record("192.0.2.1", null, null, 200, "/");
            }
            sim.clock.advance(Duration.ofSeconds(3));
            sim.detector.tick();
        }
        assertThat(sim.events).isEmpty();
    }

    @Test
    void observationsNeedAClientIpButNotAConsumerRouteOrPath() {
        Simulation sim = new Simulation();
        assertThatThrownBy(() -> new Observation(null, "c", "r", 200, "/"))
                .hasMessage("clientIp must not be null");
        sim.detector.record(new Observation("192.0.2.1", null, null, 404, null));
        sim.run(1, (s, x) -> { });
        assertThat(sim.detector.trackedKeys(AnomalyKey.Kind.CLIENT_IP)).isEqualTo(1);
    }

    @Test
    void theSwitchedOffDetectorAllowsEverything() {
        AnomalyDetector off = AnomalyDetector.NONE;
        off.record(new Observation("192.0.2.1", null, null, 401, "/"));
        off.tick(0);
        assertThat(off.check("192.0.2.1", null, null)).isSameAs(Action.NONE);
        assertThat(Action.NONE.admit(0)).isTrue();
        assertThat(off.active()).isEmpty();
        assertThat(off.lift("x")).isEmpty();
        assertThatThrownBy(Action.NONE::cause).hasMessage("Action.NONE has no cause");
    }
}
