package io.portcullis.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.config.ClusterConfig;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which endpoints may take requests, for every mix of health, priority levels and panic threshold. */
class SelectionTest {
    private static final ClusterConfig CLUSTER = ClusterConfig.of("api",
            List.of(new ClusterConfig.Endpoint("127.0.0.1", 1)));

    /** Endpoint {@code name} on port = index, with a priority and health. */
    private static UpstreamEndpoint endpoint(int port, int priority, boolean healthy) {
        UpstreamEndpoint e = new UpstreamEndpoint(CLUSTER, new ClusterConfig.Endpoint("127.0.0.1", port, 1, priority),
                new InetSocketAddress("127.0.0.1", port));
        e.healthy(healthy);
        return e;
    }

    private static List<Integer> ports(Selection s) {
        return Arrays.stream(s.endpoints).map(e -> e.address().getPort()).toList();
    }

    @Test
    void healthyEndpointsOfThePrimaryLevel() {
        Selection s = Selection.of(new UpstreamEndpoint[] {endpoint(1, 0, true), endpoint(2, 0, false),
                endpoint(3, 0, true), endpoint(4, 1, true)}, 0.5);
        assertThat(ports(s)).containsExactly(1, 3);
        assertThat(s.level).isZero();
        assertThat(s.panic).isFalse();
    }

    @Test
    void backupLevelWhenThePrimaryFallsUnderTheThreshold() {
        Selection s = Selection.of(new UpstreamEndpoint[] {endpoint(1, 0, true), endpoint(2, 0, false),
                endpoint(3, 0, false), endpoint(4, 1, true), endpoint(5, 1, true)}, 0.5);
        assertThat(ports(s)).containsExactly(4, 5);
        assertThat(s.level).isEqualTo(1);
        assertThat(s.panic).isFalse();
    }

    @Test
    void panicOverTheFirstLevelWithAnyHealthyEndpoint() {
        Selection s = Selection.of(new UpstreamEndpoint[] {endpoint(1, 0, false), endpoint(2, 0, false),
                endpoint(3, 1, true), endpoint(4, 1, false), endpoint(5, 1, false)}, 0.5);
        assertThat(ports(s)).containsExactly(3, 4, 5);
        assertThat(s.panic).isTrue();
    }

    @Test
    void panicOverTheLowestLevelWhenNothingIsHealthy() {
        Selection s = Selection.of(new UpstreamEndpoint[] {endpoint(1, 1, false), endpoint(2, 2, false)}, 0.5);
        assertThat(ports(s)).containsExactly(1);
        assertThat(s.panic).isTrue();
    }

    @Test
    void withoutPanicModeAnyHealthyEndpointServesAndNoneMeansEmpty() {
        assertThat(ports(Selection.of(new UpstreamEndpoint[] {endpoint(1, 0, false), endpoint(2, 0, false),
                endpoint(3, 0, true)}, 0))).containsExactly(3);
        Selection none = Selection.of(new UpstreamEndpoint[] {endpoint(1, 0, false)}, 0);
        assertThat(none.endpoints).isEmpty();
        assertThat(none.panic).isFalse();
    }

    @Test
    void exactlyAtTheThresholdIsNotPanic() {
        Selection s = Selection.of(new UpstreamEndpoint[] {endpoint(1, 0, true), endpoint(2, 0, false)}, 0.5);
        assertThat(ports(s)).containsExactly(1);
        assertThat(s.panic).isFalse();
    }
}
