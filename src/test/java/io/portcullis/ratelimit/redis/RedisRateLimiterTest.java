package io.portcullis.ratelimit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisURI;
import io.portcullis.ratelimit.Decision;
import io.portcullis.ratelimit.Limit;
import io.portcullis.testing.LogCapture;
import io.portcullis.testing.RedisServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One instance against a real Redis: the shared engine decides as the local one does, on Redis's clock. */
class RedisRateLimiterTest {
    private static final long MS = 1_000_000;
    private static RedisServer redis;
    private static RedisLink link;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        link = RedisLink.builder(RedisURI.create(redis.uri())).build();
        await().atMost(Duration.ofSeconds(5)).until(link::available);
    }

    @AfterAll
    static void stop() throws Exception {
        link.close();
        redis.close();
    }

    private static Decision decide(RedisRateLimiter limiter, String key) throws Exception {
        return limiter.decide(key, 1).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private static RedisRateLimiter limiter(String name, Limit limit) {
        return new RedisRateLimiter(link, new SharedLimit(name, limit, Duration.ofSeconds(1), FailMode.CLOSED),
                System::nanoTime);
    }

    @Test
    void tokenBucketAdmitsTheBurstThenRefusesWithRetryAfter() throws Exception {
        RedisRateLimiter limiter = limiter("burst", Limit.tokenBucket(1, Duration.ofHours(1), 5));
        for (int i = 4; i >= 0; i--) {
            Decision d = decide(limiter, "client");
            assertThat(d.allowed()).isTrue();
            assertThat(d.remaining()).isEqualTo(i);
            assertThat(d.basis()).isEqualTo(Decision.Basis.SHARED);
        }
        Decision refused = decide(limiter, "client");
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfterNanos()).isBetween(Duration.ofMinutes(59).toNanos(), Duration.ofHours(1).toNanos());
        assertThat(refused.basis()).isEqualTo(Decision.Basis.SHARED);
        assertThat(decide(limiter, "another").allowed()).isTrue();

        // One key per limit and client, expiring when its backlog has drained (5 h here), never left behind.
        long ttl = Long.parseLong(redis.command("PTTL portcullis:rl:burst:client").substring(1));
        assertThat(ttl).isBetween(Duration.ofHours(5).toMillis() - 5000, Duration.ofHours(5).toMillis() + 1);
    }

    @Test
    void leakyBucketDelaysAreSpacedAtOneOverRate() throws Exception {
        RedisRateLimiter limiter = limiter("leaky", Limit.leakyBucket(10, Duration.ofSeconds(1),
                Duration.ofMillis(350)));
        long start = System.nanoTime();
        long[] delays = new long[4];
        for (int i = 0; i < 4; i++) {
            Decision d = decide(limiter, "q");
            assertThat(d.allowed()).isTrue();
            delays[i] = d.delayNanos();
        }
        Decision refused = decide(limiter, "q");
        long elapsed = System.nanoTime() - start;
        assertThat(elapsed).isLessThan(50 * MS);
        for (int i = 0; i < 4; i++) {
            // Redis's clock moved by at most the elapsed time between the decisions.
            assertThat(delays[i]).isBetween(i * 100 * MS - elapsed, i * 100 * MS);
        }
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfterNanos()).isBetween(50 * MS - elapsed, 50 * MS);
    }

    @Test
    void scriptFlushedByRedisIsSentAgain() throws Exception {
        RedisRateLimiter limiter = limiter("flush", Limit.tokenBucket(1, Duration.ofHours(1), 2));
        assertThat(decide(limiter, "k").allowed()).isTrue();
        assertThat(redis.command("SCRIPT FLUSH")).isEqualTo("+OK");
        assertThat(decide(limiter, "k").allowed()).isTrue(); // NOSCRIPT, then EVAL: still exact
        assertThat(decide(limiter, "k").allowed()).isFalse();
    }

    /** A gateway may start before its Redis: limits are enforced locally at once, and shared once Redis is up. */
    @Test
    void startsBeforeRedisAndConnectsByItself() throws Exception {
        try (RedisServer late = RedisServer.start(); LogCapture log = new LogCapture(Availability.class)) {
            late.kill();
            try (RedisLink early = RedisLink.builder(RedisURI.create(late.uri())).build()) {
                RedisRateLimiter limiter = new RedisRateLimiter(early, new SharedLimit("early",
                        Limit.tokenBucket(1, Duration.ofHours(1), 2), Duration.ofMillis(5), FailMode.CLOSED),
                        System::nanoTime);
                long asked = System.nanoTime();
                Decision local = decide(limiter, "k");
                assertThat(System.nanoTime() - asked).isLessThan(50 * MS); // no waiting for a Redis that is not there
                assertThat(local.basis()).isEqualTo(Decision.Basis.FALLBACK_LOCAL);
                assertThat(local.allowed()).isTrue();
                await().atMost(Duration.ofSeconds(3)).until(() -> log.lines().size() == 1);

                late.restart();
                await().atMost(Duration.ofSeconds(2)).until(early::available);
                assertThat(decide(limiter, "k").basis()).isEqualTo(Decision.Basis.SHARED);
                assertThat(log.lines()).hasSize(2);
                assertThat(log.lines().get(0)).startsWith("WARN").contains("Unable to connect");
                assertThat(log.lines().get(1)).startsWith("INFO").contains("is available again");
            }
        }
    }

    @Test
    void sharedLimitSettingsNameTheField() {
        Limit limit = Limit.tokenBucket(1, Duration.ofSeconds(1), 1);
        assertThatThrownBy(() -> new SharedLimit("a b", limit, Duration.ofMillis(5), FailMode.OPEN))
                .hasMessage("name must be 1-64 of [A-Za-z0-9_.-], was 'a b'");
        assertThatThrownBy(() -> new SharedLimit("a", limit, Duration.ZERO, FailMode.OPEN))
                .hasMessage("timeout must be in (0, 10s], was PT0S");
        assertThatThrownBy(() -> RedisLink.builder(RedisURI.create("redis://127.0.0.1:1"))
                .heartbeatInterval(Duration.ofMillis(1)).build())
                .hasMessage("heartbeat_interval must be in [PT0.01S, 1m], was PT0.001S");
    }

    @Test
    void instanceCountsItselfThroughTheHeartbeat() {
        await().atMost(Duration.ofSeconds(3)).until(() -> link.knownInstances() == 1);
    }
}
