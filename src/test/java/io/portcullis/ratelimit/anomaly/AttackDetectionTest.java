package io.portcullis.ratelimit.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.ratelimit.anomaly.Simulation.Event;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Each attack pattern, scripted on top of normal traffic, is flagged within 10 simulated seconds. */
class AttackDetectionTest {
    private static final int WARM_UP = 300;

    /** Twenty ordinary clients on two routes, a few requests a second each, some of them 404s and 401s. */
    private static void background(Simulation sim) {
        for (int c = 0; c < 20; c++) {
            String ip = "192.0.2." + c;
            String route = c % 2 == 0 ? "orders" : "catalog";
            sim.send(ip, "user" + c, route, sim.jitter(4, 0.5), 200);
            if (sim.random.nextInt(10) == 0) {
                sim.send(ip, null, null, 1, 404, i -> "/favicon.ico");
            }
            if (sim.random.nextInt(20) == 0) {
                sim.send(ip, null, route, 1, 401);
            }
        }
    }

    @Test
    void aTwentyfoldFloodFromAKnownClientIpIsThrottledToItsBaseline() {
        Simulation sim = new Simulation();
        sim.run(WARM_UP, (s, x) -> {
            background(x);
            x.send("203.0.113.7", null, "catalog", x.jitter(20, 0.2), 200);
        });
        long start = sim.run(30, (s, x) -> {
            background(x);
            x.send("203.0.113.7", null, "catalog", x.jitter(400, 0.1), 200);
        });

        assertThat(sim.raised()).hasSize(1);
        Event event = sim.raised().get(0);
        assertThat(event.second() - start).isLessThanOrEqualTo(10);
        AnomalyAction action = event.action();
        assertThat(action.rule()).isEqualTo(Rule.REQUEST_FLOOD);
        assertThat(action.key()).isEqualTo(new AnomalyKey(AnomalyKey.Kind.CLIENT_IP, "203.0.113.7"));
        assertThat(action.action()).isEqualTo(ActionType.THROTTLE);
        assertThat(action.limitPerSecond()).isBetween(17.0, 23.0);
        assertThat(action.evidence().get("ratePerSecond").doubleValue()).isGreaterThan(300);
        assertThat(action.evidence().get("baselinePerSecond").doubleValue()).isBetween(17.0, 23.0);
        assertThat(action.evidence().get("thresholdPerSecond").doubleValue()).isEqualTo(100.0);
        assertThat(action.reason()).startsWith("request flood: ").contains("3 of the last 5 s");
        assertThat(action.expiresAt()).isEqualTo(action.createdAt().plus(Duration.ofMinutes(5)));
        assertThat(action.id()).startsWith("request_flood-");

        assertThat(sim.detector.check("203.0.113.7", null, "catalog").kind()).isEqualTo(Action.Kind.THROTTLE);
        assertThat(sim.detector.check("203.0.113.7", null, "catalog").cause()).isEqualTo(action);
        assertThat(sim.detector.check("192.0.2.1", "user1", "catalog")).isSameAs(Action.NONE);
        assertThat(sim.detector.active()).containsExactly(action);
    }

    @Test
    void aClientIpThatFloodsFromItsFirstRequestIsFlaggedToo() {
        Simulation sim = new Simulation();
        sim.run(60, (s, x) -> background(x));
        long start = sim.run(20, (s, x) -> {
            background(x);
            x.send("198.51.100.9", null, "orders", 1_000, 200);
        });

        assertThat(sim.raised()).singleElement().satisfies(e -> {
            assertThat(e.second() - start).isLessThanOrEqualTo(10);
            assertThat(e.action().key().value()).isEqualTo("198.51.100.9");
            // Its first second counted only up to the floor, so the throttle admits the floor, not 1000/s.
            assertThat(e.action().limitPerSecond()).isEqualTo(100.0);
        });
    }

    @Test
    void aConsumerFloodSpreadOverManyIpsIsFlaggedOnTheConsumer() {
        Simulation sim = new Simulation();
        sim.run(WARM_UP, (s, x) -> {
            background(x);
            for (int i = 0; i < 50; i++) {
                x.send("10.1.0." + i, "acme", "orders", x.jitter(1, 0.5), 200);
            }
        });
        long start = sim.run(30, (s, x) -> {
            background(x);
            for (int i = 0; i < 50; i++) {
                x.send("10.1.0." + i, "acme", "orders", x.jitter(20, 0.2), 200); // 20/s per IP: below the IP floor
            }
        });

        assertThat(sim.raised()).singleElement().satisfies(e -> {
            assertThat(e.second() - start).isLessThanOrEqualTo(10);
            assertThat(e.action().key()).isEqualTo(new AnomalyKey(AnomalyKey.Kind.CONSUMER, "acme"));
            assertThat(e.action().rule()).isEqualTo(Rule.REQUEST_FLOOD);
        });
        assertThat(sim.detector.check("10.9.9.9", "acme", "catalog").kind()).isEqualTo(Action.Kind.THROTTLE);
        assertThat(sim.detector.check("10.9.9.9", "other", "catalog")).isSameAs(Action.NONE);
    }

    @Test
    void credentialStuffingIsBlockedWithinTenSeconds() {
        Simulation sim = new Simulation();
        sim.run(60, (s, x) -> background(x));
        long start = sim.run(30, (s, x) -> {
            background(x);
            x.send("203.0.113.50", null, "login", 10, 401, i -> "/login");
            x.send("203.0.113.50", null, "login", x.jitter(0.3, 0), 200, i -> "/login");
        });

        assertThat(sim.raised()).singleElement().satisfies(e -> {
            assertThat(e.second() - start).isLessThanOrEqualTo(10);
            AnomalyAction action = e.action();
            assertThat(action.rule()).isEqualTo(Rule.CREDENTIAL_STUFFING);
            assertThat(action.key()).isEqualTo(new AnomalyKey(AnomalyKey.Kind.CLIENT_IP, "203.0.113.50"));
            assertThat(action.action()).isEqualTo(ActionType.BLOCK);
            assertThat(action.evidence().get("authFailures").longValue()).isGreaterThanOrEqualTo(20);
            assertThat(action.evidence().get("share").doubleValue()).isGreaterThan(0.9);
            assertThat(action.expiresAt()).isEqualTo(action.createdAt().plus(Duration.ofMinutes(15)));
        });
        Action action = sim.detector.check("203.0.113.50", null, "login");
        assertThat(action.kind()).isEqualTo(Action.Kind.BLOCK);
        assertThat(action.admit(sim.clock.getAsLong())).isFalse();
    }

    @Test
    void pathScanningIsBlockedWithinTenSeconds() {
        Simulation sim = new Simulation();
        sim.run(60, (s, x) -> background(x));
        long start = sim.run(30, (s, x) -> {
            background(x);
            x.send("203.0.113.66", null, null, 20, 404, i -> "/scan/" + s + "/" + i + "/.env");
            x.send("203.0.113.66", null, "catalog", 1, 200);
        });

        assertThat(sim.raised()).singleElement().satisfies(e -> {
            assertThat(e.second() - start).isLessThanOrEqualTo(10);
            AnomalyAction action = e.action();
            assertThat(action.rule()).isEqualTo(Rule.PATH_SCANNING);
            assertThat(action.key().value()).isEqualTo("203.0.113.66");
            assertThat(action.action()).isEqualTo(ActionType.BLOCK);
            assertThat(action.evidence().get("distinctPaths").intValue()).isGreaterThanOrEqualTo(15);
            assertThat(action.reason()).startsWith("path scanning: ");
        });
        assertThat(sim.detector.check("203.0.113.66", null, null).kind()).isEqualTo(Action.Kind.BLOCK);
    }

    @Test
    void aRouteErrorSpikeIsFlaggedInShadowWithinTenSeconds() {
        Simulation sim = new Simulation();
        sim.run(WARM_UP, (s, x) -> {
            for (int c = 0; c < 20; c++) {
                x.send("192.0.2." + c, null, "payments", x.jitter(5, 0.3), 200);
                x.send("192.0.2." + c, null, "payments", x.random.nextInt(100) == 0 ? 1 : 0, 503);
            }
        });
        long start = sim.run(30, (s, x) -> {
            for (int c = 0; c < 20; c++) {
                x.send("192.0.2." + c, null, "payments", x.jitter(2.5, 0.3), 200);
                x.send("192.0.2." + c, null, "payments", x.jitter(2.5, 0.3), 502);
            }
        });

        assertThat(sim.raised()).singleElement().satisfies(e -> {
            assertThat(e.second() - start).isLessThanOrEqualTo(10);
            AnomalyAction action = e.action();
            assertThat(action.rule()).isEqualTo(Rule.ROUTE_ERROR_SPIKE);
            assertThat(action.key()).isEqualTo(new AnomalyKey(AnomalyKey.Kind.ROUTE, "payments"));
            assertThat(action.action()).isEqualTo(ActionType.SHADOW);
            assertThat(action.evidence().get("share").doubleValue()).isBetween(0.3, 0.7);
            assertThat(action.evidence().get("baselineShare").doubleValue()).isBetween(0.0, 0.03);
            assertThat(action.evidence().get("thresholdShare").doubleValue()).isEqualTo(0.1);
        });
        // Shadow: listed, but nothing is enforced.
        assertThat(sim.detector.active()).hasSize(1);
        assertThat(sim.detector.check("192.0.2.1", null, "payments")).isSameAs(Action.NONE);
    }

    @Test
    void anEnforcedRouteErrorSpikeThrottlesTheRouteToItsNormalRate() {
        ErrorSpikeRule throttling = new ErrorSpikeRule(true, 10, 0.1, 3, 3, 5, Duration.ofMinutes(5),
                new RuleResponse(ActionType.THROTTLE, Duration.ofMinutes(1), 10));
        Simulation sim = new Simulation(AnomalyRules.DEFAULT.withRouteErrorSpike(throttling));
        sim.run(WARM_UP, (s, x) -> x.send("192.0.2.1", null, "payments", x.jitter(50, 0.2), 200));
        sim.run(10, (s, x) -> x.send("192.0.2.1", null, "payments", 50, 503));

        AnomalyAction action = sim.raised().get(0).action();
        assertThat(action.limitPerSecond()).isBetween(45.0, 55.0);
        assertThat(sim.detector.check("192.0.2.99", null, "payments").kind()).isEqualTo(Action.Kind.THROTTLE);
    }
}
