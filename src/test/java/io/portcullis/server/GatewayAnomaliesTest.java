package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.observe.GatewayMetrics;
import io.portcullis.ratelimit.anomaly.ActionType;
import io.portcullis.ratelimit.anomaly.AnomalyDetector;
import io.portcullis.ratelimit.anomaly.AnomalyRules;
import io.portcullis.ratelimit.anomaly.PathScanningRule;
import io.portcullis.ratelimit.anomaly.RuleResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reloads keep the detector (and what it learned) while the rules stay, and start over when they change. */
class GatewayAnomaliesTest {
    private final ScheduledExecutorService control = Executors.newSingleThreadScheduledExecutor();
    private final GatewayAnomalies anomalies = new GatewayAnomalies(GatewayMetrics.create(), control);

    @AfterEach
    void stop() {
        control.shutdownNow();
    }

    @Test
    void theDetectorLivesAsLongAsItsRules() {
        assertThat(anomalies.prepare(null)).isSameAs(AnomalyDetector.NONE);

        AnomalyDetector first = anomalies.prepare(AnomalyRules.DEFAULT);
        assertThat(first).isNotSameAs(AnomalyDetector.NONE);
        assertThat(anomalies.current()).as("not in use before install").isSameAs(AnomalyDetector.NONE);
        anomalies.install(AnomalyRules.DEFAULT, first);
        assertThat(anomalies.current()).isSameAs(first);

        // Equal rules from a new parse: the same detector.
        AnomalyRules same = AnomalyRules.DEFAULT.withPathScanning(new PathScanningRule(true, 10, 20, 15, 0.5,
                new RuleResponse(ActionType.BLOCK, Duration.ofMinutes(15), 1)));
        assertThat(anomalies.prepare(same)).isSameAs(first);

        // A prepared detector that is never installed (the reload failed later) changes nothing.
        AnomalyRules shadow = AnomalyRules.DEFAULT.withPathScanning(new PathScanningRule(true, 10, 20, 15, 0.5,
                new RuleResponse(ActionType.SHADOW, Duration.ofMinutes(15), 1)));
        AnomalyDetector abandoned = anomalies.prepare(shadow);
        assertThat(abandoned).isNotSameAs(first);
        assertThat(anomalies.current()).isSameAs(first);

        AnomalyDetector second = anomalies.prepare(shadow);
        anomalies.install(shadow, second);
        assertThat(anomalies.current()).isSameAs(second);
        assertThat(anomalies.prepare(shadow)).isSameAs(second);

        anomalies.install(null, anomalies.prepare(null));
        assertThat(anomalies.current()).isSameAs(AnomalyDetector.NONE);
    }
}
