package io.portcullis.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.RawBackend;
import io.portcullis.testing.RawClient;
import io.portcullis.testing.TestGateway;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Idle timeouts between response body reads: the per-try timeout when none is set, the cluster's
 * {@code timeouts.idle}, and a route's {@code idle_timeout} over both.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TimeoutsTest {
    /** A head promising 100 bytes, 10 of them, then silence with the connection open. */
    private static final String STALLING = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789";

    /** How long until the gateway cuts the client's connection in the middle of the stalled body. */
    private static long cutAfterMillis(String routeExtra, String timeouts) throws Exception {
        try (RawBackend backend = new RawBackend(STALLING, false);
                TestGateway gw = TestGateway.start(TestGateway.oneCluster(routeExtra, """
                            endpoints: [ "${B}" ]
                        """ + "    timeouts: " + timeouts + "\n"), Map.of("B", "127.0.0.1:" + backend.port()))) {
            long start = System.nanoTime();
            String response = RawClient.exchange(gw.port(), "GET /stall HTTP/1.1\r\nHost: t\r\n\r\n", 10_000);
            long took = (System.nanoTime() - start) / 1_000_000;
            assertThat(response).startsWith("HTTP/1.1 200").endsWith("0123456789");
            return took;
        }
    }

    @Test
    void withoutAnIdleTimeoutThePerTryTimeoutBoundsTheSilence() throws Exception {
        assertThat(cutAfterMillis("", "{ per_try: 1s }")).isBetween(900L, 4000L);
    }

    @Test
    void theClustersIdleTimeoutCutsAStalledBody() throws Exception {
        assertThat(cutAfterMillis("", "{ per_try: 5s, idle: 300ms }")).isBetween(250L, 3000L);
    }

    @Test
    void aRoutesIdleTimeoutOverridesTheClusters() throws Exception {
        assertThat(cutAfterMillis("    idle_timeout: 300ms\n", "{ per_try: 5s, idle: 5s }")).isBetween(250L, 3000L);
    }
}
