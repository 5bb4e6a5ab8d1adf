package io.portcullis.upstream.health;

import static io.portcullis.upstream.health.Checks.soon;
import static io.portcullis.upstream.health.Checks.target;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.portcullis.config.ClusterConfig;
import io.portcullis.config.ClusterConfig.StatusRange;
import io.portcullis.testing.LogCapture;
import io.portcullis.testing.RawBackend;
import io.portcullis.testing.TestBackend;
import io.portcullis.upstream.health.StatusBackend.Served;
import io.portcullis.upstream.health.Transitions.Transition;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** HTTP checks against real backends on 127.0.0.1: what is sent, what passes, and when an endpoint flips. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HealthCheckerHttpTest {
    private static final MultiThreadIoEventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(2,
            NioIoHandler.newFactory());

    @AfterAll
    static void shutdown() {
        GROUP.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    @Test
    void healthyBackendStaysHealthyWithoutCallbacks() throws Exception {
        Transitions transitions = new Transitions(GROUP);
        try (TestBackend backend = new TestBackend();
                HealthChecker checker = Checks.start(Checks.http("/healthz", null, 2, 1), GROUP, transitions,
                        target(backend.port()))) {
            soon().until(() -> backend.requestCount() >= 5);
            assertThat(checker.healthy(0)).isTrue();
            assertThat(transitions.all()).isEmpty();
        }
    }

    @Test
    void checkIsAGetWithTheEndpointAsHostOurUserAgentAndConnectionClose() throws Exception {
        try (TestBackend backend = new TestBackend();
                HealthChecker checker = Checks.start(Checks.http("/healthz?deep=1", null, 2, 3), GROUP,
                        new Transitions(GROUP), target(backend.port()))) {
            soon().until(() -> backend.requestCount() >= 2);
            TestBackend.Recorded r = backend.requests().get(0);
            assertThat(r.method()).isEqualTo("GET");
            assertThat(r.uri()).isEqualTo("/healthz?deep=1");
            assertThat(r.version()).isEqualTo("HTTP/1.1");
            assertThat(r.all("host")).containsExactly("127.0.0.1:" + backend.port());
            assertThat(r.header("user-agent")).isEqualTo("portcullis-health-check");
            assertThat(r.header("connection")).isEqualToIgnoringCase("close");
            assertThat(r.bodyBytes()).isZero();
            // A fresh connection per check.
            assertThat(backend.connectionCount()).isGreaterThanOrEqualTo(2);
            assertThat(checker.healthy(0)).isTrue();
        }
    }

    @Test
    void configuredHostHeaderIsSent() throws Exception {
        try (TestBackend backend = new TestBackend();
                HealthChecker checker = Checks.start(Checks.http("/healthz", "health.internal", 2, 3), GROUP,
                        new Transitions(GROUP), target(backend.port()))) {
            soon().until(() -> backend.requestCount() >= 1);
            assertThat(backend.requests().get(0).all("host")).containsExactly("health.internal");
            assertThat(checker.healthy(0)).isTrue();
        }
    }

    @Test
    void freshEndpointAnswering503IsUnhealthyAfterItsFirstCheck() throws Exception {
        try (TestBackend backend = new TestBackend()) {
            Transitions transitions = new Transitions(GROUP, backend::requestCount);
            try (HealthChecker checker = Checks.start(Checks.http("/status/503", null, 2, 3), GROUP, transitions,
                    target(backend.port()))) {
                soon().until(() -> transitions.size() == 1);
                assertThat(transitions.all()).containsExactly(
                        new Transition(0, false, "status 503 not in expected statuses", true, 1));
                assertThat(checker.healthy(0)).isFalse();
                // Later failures are no transitions.
                soon().until(() -> backend.requestCount() >= 4);
                assertThat(transitions.size()).isEqualTo(1);
            }
        }
    }

    @Test
    void flipsOnlyAfterThresholdsOfConsecutiveResultsAndLogsEachTransitionOnce() throws Exception {
        try (StatusBackend backend = new StatusBackend(200); LogCapture log = new LogCapture(HealthChecker.class)) {
            Transitions transitions = new Transitions(GROUP, backend::requestCount);
            try (HealthChecker checker = Checks.start(Checks.http("/healthz", null, 2, 3), GROUP, transitions,
                    target(backend.address(), null))) {
                soon().until(() -> backend.count(200) >= 3);
                assertThat(transitions.all()).isEmpty();

                backend.status(503);
                soon().until(() -> transitions.size() == 1);
                Transition down = transitions.all().get(0);
                assertThat(down.healthy()).isFalse();
                assertThat(down.reason()).isEqualTo("status 503 not in expected statuses");
                List<Served> atDown = backend.served().subList(0, down.seen());
                assertThat(statuses(atDown)).endsWith(200, 503, 503, 503);
                assertThat(statuses(atDown)).filteredOn(s -> s == 503).hasSize(3);

                backend.status(200);
                soon().until(() -> transitions.size() == 2);
                Transition up = transitions.all().get(1);
                assertThat(up.healthy()).isTrue();
                assertThat(up.reason()).isEqualTo("status 200");
                assertThat(statuses(backend.served().subList(down.seen(), up.seen())))
                        .endsWith(200, 200)
                        .filteredOn(s -> s == 200).hasSize(2);
                assertThat(checker.healthy(0)).isTrue();
                assertThat(transitions.all()).allMatch(Transition::onLoop);

                String endpoint = "127.0.0.1:" + backend.address().getPort();
                assertThat(log.lines()).containsExactly(
                        "WARN health: cluster api endpoint " + endpoint
                                + " unhealthy (status 503 not in expected statuses; 3 consecutive failures)",
                        "INFO health: cluster api endpoint " + endpoint
                                + " healthy (status 200; 2 consecutive passes)");
            }
        }
    }

    @ParameterizedTest(name = "{0} with expected {1} is healthy: {2}")
    @CsvSource(delimiter = ';', value = {
            "204; 200-299; true",
            "302; 200-299; false",
            "302; 200-299,301-308; true",
            "200; 204-204; false",
            "503; 500-503; true"})
    void expectedStatusRangesAreHonoured(int status, String ranges, boolean healthy) throws Exception {
        List<StatusRange> expected = Arrays.stream(ranges.split(","))
                .map(r -> new StatusRange(Integer.parseInt(r.split("-")[0]), Integer.parseInt(r.split("-")[1])))
                .toList();
        ClusterConfig.HealthCheck config = Checks.config(new ClusterConfig.Http("/status/" + status, null, expected),
                Checks.INTERVAL, Duration.ZERO, Duration.ofSeconds(1), 2, 3);
        try (TestBackend backend = new TestBackend()) {
            Transitions transitions = new Transitions(GROUP);
            try (HealthChecker checker = Checks.start(config, GROUP, transitions, target(backend.port()))) {
                soon().until(() -> backend.requestCount() >= 3);
                if (healthy) {
                    assertThat(transitions.all()).isEmpty();
                } else {
                    assertThat(transitions.all()).extracting(Transition::reason)
                            .containsExactly("status " + status + " not in expected statuses");
                }
                assertThat(checker.healthy(0)).isEqualTo(healthy);
            }
        }
    }

    @Test
    void backendThatNeverAnswersFailsWithTheTimeoutAndItsConnectionIsClosed() throws Exception {
        ClusterConfig.HealthCheck config = Checks.config(
                new ClusterConfig.Http("/healthz", null, List.of(StatusRange.SUCCESS)), Duration.ofSeconds(30),
                Duration.ZERO, Duration.ofMillis(250), 2, 3);
        try (StatusBackend backend = new StatusBackend(StatusBackend.HANG)) {
            Transitions transitions = new Transitions(GROUP);
            long start = System.nanoTime();
            try (HealthChecker checker = Checks.start(config, GROUP, transitions, target(backend.address(), null))) {
                soon().until(() -> transitions.size() == 1);
                long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertThat(transitions.all().get(0).reason()).isEqualTo("timed out after 250ms");
                assertThat(elapsedMillis).isGreaterThanOrEqualTo(250);
                assertThat(backend.requestCount()).isEqualTo(1);
                assertThat(checker.healthy(0)).isFalse();
                soon().until(() -> backend.openConnections() == 0);
            }
        }
    }

    @Test
    void closedPortFailsWithConnectFailed() throws Exception {
        try (Socket notListening = new Socket()) {
            notListening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Transitions transitions = new Transitions(GROUP);
            try (HealthChecker checker = Checks.start(Checks.http("/healthz", null, 2, 3), GROUP, transitions,
                    target(notListening.getLocalPort()))) {
                soon().until(() -> transitions.size() == 1);
                assertThat(transitions.all().get(0).reason()).isEqualTo("connect failed: Connection refused");
                assertThat(checker.healthy(0)).isFalse();
            }
        }
    }

    @Test
    void backendClosingWithoutAnAnswerFails() throws Exception {
        try (RawBackend backend = new RawBackend("", true)) {
            Transitions transitions = new Transitions(GROUP);
            try (HealthChecker checker = Checks.start(Checks.http("/healthz", null, 2, 3), GROUP, transitions,
                    target(backend.port()))) {
                soon().until(() -> transitions.size() == 1);
                assertThat(transitions.all().get(0).reason()).isEqualTo("connection closed before response");
                assertThat(checker.healthy(0)).isFalse();
            }
        }
    }

    @Test
    void malformedResponseFails() throws Exception {
        try (RawBackend backend = new RawBackend("HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n", true)) {
            Transitions transitions = new Transitions(GROUP);
            try (HealthChecker checker = Checks.start(Checks.http("/healthz", null, 2, 3), GROUP, transitions,
                    target(backend.port()))) {
                soon().until(() -> transitions.size() == 1);
                assertThat(transitions.all().get(0).reason()).startsWith("invalid response: ");
                assertThat(checker.healthy(0)).isFalse();
            }
        }
    }

    @Test
    void eachEndpointIsJudgedOnItsOwn() throws Exception {
        try (StatusBackend up = new StatusBackend(200); StatusBackend down = new StatusBackend(503)) {
            Transitions transitions = new Transitions(GROUP);
            try (HealthChecker checker = Checks.start(Checks.http("/healthz", null, 2, 3), GROUP, transitions,
                    target(up.address(), null), target(down.address(), null))) {
                soon().until(() -> transitions.size() == 1 && up.requestCount() >= 3);
                assertThat(transitions.all()).extracting(Transition::index).containsExactly(1);
                assertThat(checker.healthy(0)).isTrue();
                assertThat(checker.healthy(1)).isFalse();
            }
        }
    }

    private static List<Integer> statuses(List<Served> served) {
        return served.stream().map(Served::status).toList();
    }
}
