package io.portcullis.ratelimit.redis;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * How many gateway instances share the limits, so that each can enforce its share (limit ÷ instances) while Redis is
 * away. Every instance heartbeats into one sorted set (member: its id, score: Redis time in ms); a heartbeat also
 * prunes members not seen for three intervals and counts the rest. The count is remembered between heartbeats and
 * through an outage, which is when it is needed.
 */
final class InstanceRegistry {
    /** ARGV: member, member TTL ms. Returns the members seen within the TTL, this one included. */
    private static final LuaScript HEARTBEAT = new LuaScript("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local ttl = tonumber(ARGV[2])
            redis.call('ZADD', KEYS[1], now, ARGV[1])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ttl)
            redis.call('PEXPIRE', KEYS[1], ttl)
            return redis.call('ZCARD', KEYS[1])
            """, ScriptOutputType.INTEGER);

    private final String key;
    private final String instanceId;
    private final String ttlMillis;
    private volatile int known = 1;

    InstanceRegistry(String key, String instanceId, Duration interval) {
        this.key = key;
        this.instanceId = instanceId;
        this.ttlMillis = Long.toString(interval.multipliedBy(3).toMillis());
    }

    /** Announces this instance and learns the count; the stage fails as the command does. */
    CompletionStage<Long> beat(RedisAsyncCommands<String, String> commands) {
        return HEARTBEAT.<Long>run(commands, key, instanceId, ttlMillis).thenApply(count -> {
            known = (int) Math.max(1, Math.min(Integer.MAX_VALUE, count));
            return count;
        });
    }

    /** Leaves at shutdown, so the others' shares grow at their next heartbeat rather than after the TTL. */
    CompletionStage<Long> leave(RedisAsyncCommands<String, String> commands) {
        return commands.zrem(key, instanceId);
    }

    /** Instances seen at the last successful heartbeat, at least 1 (this one). */
    int knownInstances() {
        return known;
    }

    String instanceId() {
        return instanceId;
    }
}
