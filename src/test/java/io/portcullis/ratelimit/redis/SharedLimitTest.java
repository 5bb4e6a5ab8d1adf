package io.portcullis.ratelimit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisURI;
import io.portcullis.ratelimit.Decision;
import io.portcullis.ratelimit.Limit;
import io.portcullis.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Three gateway instances (three links, three connections) share one limit under load from six concurrent clients:
 * every window admits what the limit allows, within 1% or 2 requests.
 */
class SharedLimitTest {
    private static final Logger LOG = LoggerFactory.getLogger(SharedLimitTest.class);

    private static final long SECOND = 1_000_000_000L;
    private static final int RATE = 1000;
    private static final int BURST = 100;

    private RedisServer redis;
    private final List<RedisLink> links = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        for (int i = 1; i <= 3; i++) {
            links.add(RedisLink.builder(RedisURI.create(redis.uri())).instanceId("gw-" + i).build());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> links.stream().allMatch(l -> l.knownInstances() == 3));
    }

    @AfterEach
    void stop() throws Exception {
        links.forEach(RedisLink::close);
        redis.close();
    }

    @Test
    void threeInstancesAdmitExactlyTheLimitPerWindow() throws Exception {
        SharedLimit config = new SharedLimit("api", Limit.tokenBucket(RATE, Duration.ofSeconds(1), BURST),
                Duration.ofMillis(250), FailMode.CLOSED);
        List<RedisRateLimiter> instances = links.stream()
                .map(link -> new RedisRateLimiter(link, config, System::nanoTime)).toList();

        Load load = Load.start(instances, "tenant-1", 6, 8);
        await().pollDelay(Duration.ofMillis(3500)).atMost(Duration.ofSeconds(5)).until(() -> true);
        List<Load.Outcome> outcomes = load.stop();

        assertThat(Load.count(outcomes, o -> o.decision().basis() != Decision.Basis.SHARED)).isZero();
        assertThat(outcomes.stream().mapToInt(Load.Outcome::instance).distinct().count()).isEqualTo(3);

        // Whole run, from when each decision was asked and answered; 2 requests of slack for the drift between
        // Redis's wall clock and the JVM's monotonic one.
        long admitted = Load.count(outcomes, o -> o.decision().allowed());
        Load.Bounds expected = Load.bounds(outcomes, BURST, RATE);
        LOG.info(String.format("shared: %d decisions, %d admitted, exact bounds %s", outcomes.size(), admitted,
                expected));
        assertThat(expected.contain(admitted, 2)).isTrue();

        // Per one-second window after the first burst. When Redis decided is known only to within its round trip:
        // those surely inside the window must not exceed the limit by 1%, nor those possibly inside fall short by 1%
        // (on a loaded machine a stalled round trip widens the gap between the two; it is printed).
        long start = outcomes.get(0).decidedAt();
        for (int w = 1; w <= 2; w++) {
            long from = start + w * SECOND;
            long surely = Load.admittedSurelyBetween(outcomes, from, from + SECOND);
            long possibly = Load.admittedPossiblyBetween(outcomes, from, from + SECOND);
            LOG.info(String.format("shared: window %d admitted %d to %d of %d", w, surely, possibly, RATE));
            assertThat(surely).isLessThanOrEqualTo((long) Math.ceil(RATE * 1.01));
            assertThat(possibly).isGreaterThanOrEqualTo((long) (RATE * 0.99));
        }
    }

    @Test
    void instancesThatLeaveShrinkTheCountOthersDivideBy() {
        links.remove(2).close();
        await().atMost(Duration.ofSeconds(3)).until(() -> links.stream().allMatch(l -> l.knownInstances() == 2));
    }
}
