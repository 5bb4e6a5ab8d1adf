/**
 * Shared rate limits through Redis (shared mode), asked by the rate-limit filter once per request like the local
 * engine: {@link io.portcullis.ratelimit.redis.RedisRateLimiter} (exact: one atomic Lua script on one key per
 * decision) and {@link io.portcullis.ratelimit.redis.LeasedRateLimiter} (batched: permits leased from Redis a batch
 * at a time, with a stated error bound), both over one {@link io.portcullis.ratelimit.redis.RedisLink} per gateway
 * instance, configured per limit by {@link io.portcullis.ratelimit.redis.SharedLimit}.
 *
 * <p>Non-blocking throughout (Lettuce's async API; nothing here runs on or waits on a gateway event loop), bounded
 * in time (every decision completes within its limit's timeout, by its {@link io.portcullis.ratelimit.redis.FailMode}
 * if Redis did not answer) and in memory (no command queue while disconnected). While Redis is unavailable every
 * limit is enforced locally at its share, limit ÷ instances seen by the heartbeat; the link logs the outage once and
 * reconnects by itself. The arithmetic is {@link io.portcullis.ratelimit.Limit}'s on Redis's clock, so it agrees with
 * local mode and does not depend on instance clocks. Works with Redis 5 or later (scripts replicated by effect).
 */
package io.portcullis.ratelimit.redis;
