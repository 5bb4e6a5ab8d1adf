package io.portcullis.ratelimit.anomaly;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Bad thresholds fail at construction with a message that names the field. */
class RuleValidationTest {
    private static final RuleResponse BLOCK = new RuleResponse(ActionType.BLOCK, Duration.ofMinutes(1), 1);

    @Test
    void floodRule() {
        assertThatThrownBy(() -> new FloodRule(true, 0, 4, 3, 5, Duration.ofSeconds(60), BLOCK))
                .hasMessage("floorPerSecond must be finite and > 0, was 0.0");
        assertThatThrownBy(() -> new FloodRule(true, 100, 1, 3, 5, Duration.ofSeconds(60), BLOCK))
                .hasMessage("factor must be finite and > 1, was 1.0");
        assertThatThrownBy(() -> new FloodRule(true, 100, 4, 6, 5, Duration.ofSeconds(60), BLOCK))
                .hasMessage("badSeconds must be in [1, ofSeconds = 5], was 6");
        assertThatThrownBy(() -> new FloodRule(true, 100, 4, 3, 31, Duration.ofSeconds(60), BLOCK))
                .hasMessage("ofSeconds must be in [1, 30], was 31");
        assertThatThrownBy(() -> new FloodRule(true, 100, 4, 3, 5, Duration.ofMillis(10), BLOCK))
                .hasMessage("baselineTimeConstant must be in [1s, 1d], was PT0.01S");
        assertThatThrownBy(() -> new FloodRule(true, 100, 4, 3, 5, Duration.ofSeconds(60), null))
                .hasMessage("response must not be null");
    }

    @Test
    void windowRules() {
        assertThatThrownBy(() -> new CredentialStuffingRule(true, 0, 20, 0.5, BLOCK))
                .hasMessage("windowSeconds must be in [1, 60], was 0");
        assertThatThrownBy(() -> new CredentialStuffingRule(true, 10, 20, 1.5, BLOCK))
                .hasMessage("minShare must be in (0, 1], was 1.5");
        assertThatThrownBy(() -> new PathScanningRule(true, 10, 20, 101, 0.5, BLOCK))
                .hasMessage("minDistinctPaths must be in [1, 100], was 101");
        assertThatThrownBy(() -> new PathScanningRule(true, 10, 0, 15, 0.5, BLOCK))
                .hasMessage("minNotFound must be >= 1, was 0");
    }

    @Test
    void errorSpikeRuleAndResponse() {
        assertThatThrownBy(() -> new ErrorSpikeRule(true, 10, 0, 3, 3, 5, Duration.ofMinutes(5), BLOCK))
                .hasMessage("minShare must be in (0, 1], was 0.0");
        assertThatThrownBy(() -> new ErrorSpikeRule(true, 10, 0.1, 0.5, 3, 5, Duration.ofMinutes(5), BLOCK))
                .hasMessage("factor must be finite and >= 1, was 0.5");
        assertThatThrownBy(() -> new RuleResponse(ActionType.BLOCK, Duration.ZERO, 1))
                .hasMessage("duration must be in (0, PT168H], was PT0S");
        assertThatThrownBy(() -> new RuleResponse(ActionType.THROTTLE, Duration.ofMinutes(1), Double.NaN))
                .hasMessage("throttleFloorPerSecond must be finite and > 0, was NaN");
    }

    @Test
    void detectorBuilder() {
        assertThatThrownBy(() -> DefaultAnomalyDetector.builder().maxKeys(0).build())
                .hasMessage("maxKeys must be >= 1, was 0");
        assertThatThrownBy(() -> DefaultAnomalyDetector.builder().idleExpiry(Duration.ofSeconds(5)).build())
                .hasMessage("idleExpiry must be >= 1m (longer than any window), was PT5S");
        assertThatThrownBy(() -> DefaultAnomalyDetector.builder().listener(null).build())
                .hasMessage("listener must not be null (use AnomalyListener.NONE)");
    }
}
