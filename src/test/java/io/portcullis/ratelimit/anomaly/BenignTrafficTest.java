package io.portcullis.ratelimit.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Benign traffic with bursts of its own raises nothing. The ramps come from a single client IP and consumer on a
 * single route, the harshest case: every one of the three keys sees the whole ramp.
 *
 * <p>Each scenario also runs once against rules missing the one defence it relies on (a slow baseline, no
 * hysteresis, no share condition) and must then fire, so that a quiet result means the defence worked and not
 * that the script was too gentle to matter.
 */
class BenignTrafficTest {
    private static final String[] MISSING =
            {"/favicon.ico", "/robots.txt", "/apple-touch-icon.png", "/old/pricing", "/blog/2019"};

    private static void heavyClient(Simulation sim, double rate) {
        int n = sim.jitter(rate, 0.2);
        sim.send("198.51.100.20", "partner", "search", n, 200);
    }

    @Test
    void aDailyPeakRampFrom50To200PerSecondOverTwoMinutesRaisesNothing() {
        Simulation sim = new Simulation();
        sim.run(300, (s, x) -> heavyClient(x, 50));
        sim.run(120, (s, x) -> heavyClient(x, 50 + 150 * s / 120.0));
        sim.run(300, (s, x) -> heavyClient(x, 200));

        assertThat(sim.events).isEmpty();
    }

    @Test
    void theSameRampFromAColdStartRaisesNothing() {
        Simulation sim = new Simulation();
        sim.run(120, (s, x) -> heavyClient(x, 50 + 150 * s / 120.0));
        sim.run(120, (s, x) -> heavyClient(x, 200));

        assertThat(sim.events).isEmpty();
    }

    private static Simulation doublingEveryMinute(AnomalyRules rules) {
        Simulation sim = new Simulation(rules);
        sim.run(300, (s, x) -> heavyClient(x, 50));
        sim.run(180, (s, x) -> heavyClient(x, 50 * Math.pow(2, s / 60.0)));
        return sim;
    }

    @Test
    void aRateDoublingEveryMinuteForThreeMinutesRaisesNothing() {
        assertThat(doublingEveryMinute(AnomalyRules.DEFAULT).events).isEmpty();
    }

    @Test
    void control_withATenMinuteBaselineTheDoublingIsAFlood() {
        FloodRule slow = new FloodRule(true, 100, 4, 3, 5, Duration.ofMinutes(10),
                FloodRule.CLIENT_IP_DEFAULT.response());
        Simulation sim = doublingEveryMinute(AnomalyRules.DEFAULT.withClientIpFlood(slow));

        assertThat(sim.raised()).extracting(e -> e.action().rule()).contains(Rule.REQUEST_FLOOD);
    }

    private static Simulation retryBurstAfterBlip(AnomalyRules rules) {
        Simulation sim = new Simulation(rules);
        Simulation.Script normal = (s, x) -> {
            for (int c = 0; c < 20; c++) {
                x.send("192.0.2." + c, "user" + c, "orders", x.jitter(5, 0.3), 200);
                x.send("192.0.2." + c, "user" + c, "orders", x.random.nextInt(50) == 0 ? 1 : 0, 500);
            }
        };
        sim.run(300, normal);
        // The blip: 40% of one second's responses fail, well over the per-second share threshold on its own.
        sim.run(1, (s, x) -> {
            for (int c = 0; c < 20; c++) {
                x.send("192.0.2." + c, "user" + c, "orders", 3, 200);
                x.send("192.0.2." + c, "user" + c, "orders", 2, 503);
            }
        });
        // Every client retries: three times its rate for two seconds, with a straggling failure or two.
        sim.run(2, (s, x) -> {
            for (int c = 0; c < 20; c++) {
                x.send("192.0.2." + c, "user" + c, "orders", x.jitter(15, 0.2), 200);
                x.send("192.0.2." + c, "user" + c, "orders", c < 3 ? 1 : 0, 503);
            }
        });
        sim.run(120, normal);
        return sim;
    }

    @Test
    void aRetryBurstAfterAOneSecondBackendBlipRaisesNothing() {
        assertThat(retryBurstAfterBlip(AnomalyRules.DEFAULT).events).isEmpty();
    }

    @Test
    void control_withoutHysteresisTheBlipIsASpike() {
        ErrorSpikeRule d = ErrorSpikeRule.DEFAULT;
        ErrorSpikeRule jumpy = new ErrorSpikeRule(true, d.minRequestsPerSecond(), d.minShare(), d.factor(), 1, 1,
                d.baselineTimeConstant(), d.response());
        Simulation sim = retryBurstAfterBlip(AnomalyRules.DEFAULT.withRouteErrorSpike(jumpy));

        assertThat(sim.raised()).extracting(e -> e.action().rule()).containsExactly(Rule.ROUTE_ERROR_SPIKE);
    }

    @Test
    void aTwoSecondBlipWithRetriesOnAHeavyClientRaisesNothing() {
        Simulation sim = new Simulation();
        sim.run(300, (s, x) -> heavyClient(x, 60));
        sim.run(2, (s, x) -> {
            x.send("198.51.100.20", "partner", "search", 30, 200);
            x.send("198.51.100.20", "partner", "search", 30, 502);
        });
        sim.run(2, (s, x) -> heavyClient(x, 180));
        sim.run(120, (s, x) -> heavyClient(x, 60));

        assertThat(sim.events).isEmpty();
    }

    private static Simulation manyNormalClients(AnomalyRules rules) {
        Simulation sim = new Simulation(rules);
        sim.run(600, (s, x) -> {
            for (int c = 0; c < 300; c++) {
                String ip = "10.2." + (c / 250) + "." + (c % 250);
                double rate = 0.2 + (c % 10) * 0.5; // 0.2 to 4.7 req/s
                String route = "route" + (c % 4);
                int n = x.jitter(rate, 0.5);
                for (int i = 0; i < n; i++) {
                    int roll = x.random.nextInt(100);
                    if (roll < 5) {
                        x.send(ip, null, null, 1, 404, k -> MISSING[x.random.nextInt(MISSING.length)]);
                    } else if (roll < 6) {
                        x.send(ip, null, route, 1, 401);
                    } else {
                        x.send(ip, "user" + c, route, 1, roll < 7 ? 500 : 200);
                    }
                }
            }
            // A corporate NAT: many people behind one address, busy, with its share of misses and bad passwords,
            // including a burst of 401s when a shared token expired.
            int n = x.jitter(80, 0.3);
            x.send("203.0.113.200", "corp", "route0", n, 200);
            x.send("203.0.113.200", null, null, x.jitter(4, 0.5), 404, k -> "/intranet/" + x.random.nextInt(40));
            x.send("203.0.113.200", null, "route1", s == 300 ? 30 : x.jitter(1, 1), 401);
        });
        return sim;
    }

    @Test
    void manyNormalClientsWithSome404sAnd401sRaiseNothing() {
        Simulation sim = manyNormalClients(AnomalyRules.DEFAULT);

        assertThat(sim.events).isEmpty();
        assertThat(sim.detector.trackedKeys(AnomalyKey.Kind.CLIENT_IP)).isEqualTo(301);
    }

    @Test
    void control_withoutTheShareConditionsTheNatIsFlagged() {
        CredentialStuffingRule cs = CredentialStuffingRule.DEFAULT;
        PathScanningRule ps = PathScanningRule.DEFAULT;
        Simulation sim = manyNormalClients(AnomalyRules.DEFAULT
                .withCredentialStuffing(new CredentialStuffingRule(true, cs.windowSeconds(), cs.minFailures(), 0.001,
                        cs.response()))
                .withPathScanning(new PathScanningRule(true, ps.windowSeconds(), ps.minNotFound(),
                        ps.minDistinctPaths(), 0.001, ps.response())));

        assertThat(sim.raised()).extracting(e -> e.action().key().value()).containsOnly("203.0.113.200");
        assertThat(sim.raised()).extracting(e -> e.action().rule())
                .containsExactlyInAnyOrder(Rule.CREDENTIAL_STUFFING, Rule.PATH_SCANNING);
    }
}
