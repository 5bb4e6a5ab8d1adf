package io.portcullis.ratelimit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
 * Batched mode with three instances under load: never more than the exact limit counted from the start, and every
 * window within {@code instances × (batch − 1)} of it, the bound {@link LeasedRateLimiter} states.
 */
class LeasedRateLimiterTest {
    private static final Logger LOG = LoggerFactory.getLogger(LeasedRateLimiterTest.class);

    private static final long SECOND = 1_000_000_000L;
    private static final int RATE = 1000;
    private static final int BURST = 100;
    private static final int BATCH = 10;
    private static final int INSTANCES = 3;

    private RedisServer redis;
    private final List<RedisLink> links = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        for (int i = 1; i <= INSTANCES; i++) {
            links.add(RedisLink.builder(RedisURI.create(redis.uri())).instanceId("gw-" + i).build());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> links.stream().allMatch(RedisLink::available));
    }

    @AfterEach
    void stop() throws Exception {
        links.forEach(RedisLink::close);
        redis.close();
    }

    @Test
    void admittedStaysWithinInstancesTimesBatchMinusOneOfTheExactLimit() throws Exception {
        SharedLimit config = new SharedLimit("leased", Limit.tokenBucket(RATE, Duration.ofSeconds(1), BURST),
                Duration.ofMillis(250), FailMode.CLOSED);
        List<LeasedRateLimiter> instances = links.stream().map(link -> new LeasedRateLimiter(link, config, BATCH,
                Duration.ofSeconds(1), System::nanoTime)).toList();

        Load load = Load.start(instances, "tenant", 6, 8);
        await().pollDelay(Duration.ofMillis(3500)).atMost(Duration.ofSeconds(5)).until(() -> true);
        List<Load.Outcome> outcomes = load.stop();

        assertThat(outcomes).allMatch(o -> o.decision().basis() == Decision.Basis.LEASED);
        long bound = INSTANCES * (BATCH - 1);
        long admitted = Load.count(outcomes, o -> o.decision().allowed());
        Load.Bounds exact = Load.bounds(outcomes, BURST, RATE);
        long scripts = scriptCalls();
        LOG.info(String.format("leased: %d decisions, %d admitted, exact limit %s, %d scripts run (%.1f admitted each)",
                outcomes.size(), admitted, exact, scripts, (double) admitted / scripts));
        assertThat((double) admitted).isLessThanOrEqualTo(exact.high() + 2); // never over, counted from the start
        assertThat((double) admitted).isGreaterThanOrEqualTo(exact.low() - bound - 2);

        long start = outcomes.get(0).decidedAt();
        for (int w = 1; w <= 2; w++) {
            long inWindow = Load.admittedBetween(outcomes, start + w * SECOND, start + (w + 1) * SECOND);
            LOG.info(String.format("leased: window %d admitted %d of %d (bound ±%d)", w, inWindow, RATE, bound));
            assertThat(inWindow).isBetween(RATE - bound - 1, RATE + bound + 1);
        }
        // Saturated, a lease finds about one new permit; refusals are answered locally until Redis has the next.
        assertThat(scripts).isLessThan(outcomes.size() / 4);
    }

    /** Below the limit, which is where most clients are most of the time, one round trip serves a whole batch. */
    @Test
    void belowTheLimitOneLeaseServesABatch() throws Exception {
        SharedLimit config = new SharedLimit("roomy", Limit.tokenBucket(200_000, Duration.ofSeconds(1), 1000),
                Duration.ofMillis(250), FailMode.CLOSED);
        List<LeasedRateLimiter> instances = links.stream().map(link -> new LeasedRateLimiter(link, config, 100,
                Duration.ofSeconds(1), System::nanoTime)).toList();
        long before = scriptCalls();
        Load load = Load.start(instances, "tenant", 6, 8);
        await().pollDelay(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(3)).until(() -> true);
        List<Load.Outcome> outcomes = load.stop();
        long scripts = scriptCalls() - before;
        long admitted = Load.count(outcomes, o -> o.decision().allowed());
        LOG.info(String.format("leased below the limit: %d of %d admitted, %d scripts run (%.1f admitted each)",
                admitted, outcomes.size(), scripts, (double) admitted / scripts));
        assertThat(admitted).isEqualTo(outcomes.size());
        // A lease per batch, a few more while one instance's leases overlap the others', and the heartbeats.
        assertThat(scripts).isLessThan(admitted / 100 * 5 / 4 + 20);
    }

    @Test
    void leakyBucketsAndBatchesLargerThanTheBurstAreRefused() {
        SharedLimit leaky = new SharedLimit("q", Limit.leakyBucket(10, Duration.ofSeconds(1), Duration.ofSeconds(1)),
                Duration.ofMillis(5), FailMode.OPEN);
        assertThatThrownBy(() -> new LeasedRateLimiter(links.get(0), leaky, 2, Duration.ofSeconds(1), System::nanoTime))
                .hasMessageStartingWith("batch needs a token bucket; limit q is a leaky bucket");
        SharedLimit small = new SharedLimit("s", Limit.tokenBucket(10, Duration.ofSeconds(1), 5), Duration.ofMillis(5),
                FailMode.OPEN);
        assertThatThrownBy(() -> new LeasedRateLimiter(links.get(0), small, 6, Duration.ofSeconds(1), System::nanoTime))
                .hasMessage("batch must be in [1, 5] (the burst), was 6");
    }

    /** EVALSHA and EVAL calls so far, leases and heartbeats alike. */
    private long scriptCalls() throws Exception {
        return redis.info("commandstats").lines()
                .filter(l -> l.startsWith("cmdstat_evalsha:") || l.startsWith("cmdstat_eval:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("^cmdstat_\\w+:calls=(\\d+),.*", "$1")))
                .sum();
    }
}
