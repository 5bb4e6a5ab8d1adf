package io.portcullis.upstream.health;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Thresholds in-process: which result flips an endpoint, and what the log line says about it. */
class EndpointHealthTest {
    private static final boolean PASS = true;
    private static final boolean FAIL = false;

    @Test
    void freshEndpointIsHealthyAndItsFirstPassIsNoTransition() {
        EndpointHealth h = new EndpointHealth(null, 2, 3);
        assertThat(h.healthy()).isTrue();
        assertThat(h.record(PASS)).isFalse();
        assertThat(h.healthy()).isTrue();
    }

    @Test
    void freshEndpointIsDecidedByItsFirstFailureAlone() {
        EndpointHealth h = new EndpointHealth(null, 2, 3);
        assertThat(h.record(FAIL)).isTrue();
        assertThat(h.healthy()).isFalse();
        assertThat(h.streak()).isEqualTo("first check");
        // From then on the thresholds apply.
        assertThat(h.record(PASS)).isFalse();
        assertThat(h.record(PASS)).isTrue();
        assertThat(h.streak()).isEqualTo("2 consecutive passes");
    }

    @Test
    void healthyEndpointNeedsUnhealthyThresholdConsecutiveFailures() {
        EndpointHealth h = new EndpointHealth(null, 2, 3);
        h.record(PASS);
        assertThat(h.record(FAIL)).isFalse();
        assertThat(h.record(FAIL)).isFalse();
        assertThat(h.record(PASS)).as("a pass resets the failure count").isFalse();
        assertThat(h.record(FAIL)).isFalse();
        assertThat(h.record(FAIL)).isFalse();
        assertThat(h.record(FAIL)).isTrue();
        assertThat(h.healthy()).isFalse();
        assertThat(h.streak()).isEqualTo("3 consecutive failures");
        assertThat(h.record(FAIL)).as("already unhealthy").isFalse();
    }

    @Test
    void unhealthyEndpointNeedsHealthyThresholdConsecutivePasses() {
        EndpointHealth h = new EndpointHealth(false, 3, 1);
        assertThat(h.record(PASS)).isFalse();
        assertThat(h.record(PASS)).isFalse();
        assertThat(h.record(FAIL)).as("a failure resets the pass count").isFalse();
        assertThat(h.record(PASS)).isFalse();
        assertThat(h.record(PASS)).isFalse();
        assertThat(h.record(PASS)).isTrue();
        assertThat(h.healthy()).isTrue();
        assertThat(h.streak()).isEqualTo("3 consecutive passes");
    }

    @Test
    void carriedOverStateIsNotDecidedByOneResult() {
        EndpointHealth wasHealthy = new EndpointHealth(true, 2, 2);
        assertThat(wasHealthy.record(FAIL)).isFalse();
        assertThat(wasHealthy.healthy()).isTrue();

        EndpointHealth wasUnhealthy = new EndpointHealth(false, 2, 2);
        assertThat(wasUnhealthy.healthy()).isFalse();
        assertThat(wasUnhealthy.record(PASS)).isFalse();
        assertThat(wasUnhealthy.healthy()).isFalse();
    }

    @Test
    void thresholdsOfOneFlipOnEveryChange() {
        EndpointHealth h = new EndpointHealth(true, 1, 1);
        assertThat(h.record(FAIL)).isTrue();
        assertThat(h.streak()).isEqualTo("1 consecutive failure");
        assertThat(h.record(PASS)).isTrue();
        assertThat(h.streak()).isEqualTo("1 consecutive pass");
    }
}
