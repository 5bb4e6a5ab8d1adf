package io.portcullis.ratelimit.redis;

import io.lettuce.core.ScriptOutputType;

/**
 * The two Lua scripts of a shared limit. Each touches exactly one key (so it works on Redis Cluster, where a script's
 * keys must share a slot) and runs atomically, so concurrent decisions from any number of instances serialize on it
 * and the limit is exact; the arithmetic is {@link io.portcullis.ratelimit.Limit}'s, on Redis's clock
 * ({@code TIME}), so instance clocks do not matter.
 *
 * <h2>State</h2>
 * The key holds {@code "<sec> <usec> <backlog ns>"}: the backlog as of the Redis time it was written. Lua numbers
 * are doubles, exact only below 2^53, so the state keeps the (small) backlog rather than an absolute arrival time in
 * nanoseconds since the epoch (about 2^60); every value the scripts compute is a whole number below 2^53, so the
 * arithmetic is exact. A clock that steps back counts as no time passed. The key expires when its backlog has
 * drained, since an absent key is the same as an empty one: no stale keys, and no TTL to configure.
 */
final class GcraScripts {
    private static final String READ_BACKLOG = """
            local t = redis.call('TIME')
            local sec, usec = tonumber(t[1]), tonumber(t[2])
            local backlog = 0
            local state = redis.call('GET', KEYS[1])
            if state then
              local s, u, b = string.match(state, '^(%d+) (%d+) (%d+)$')
              if b then
                local elapsed = ((sec - tonumber(s)) * 1000000 + (usec - tonumber(u))) * 1000
                if elapsed < 0 then elapsed = 0 end
                backlog = tonumber(b) - elapsed
                if backlog < 0 then backlog = 0 end
              end
            end
            local function store(b)
              redis.call('SET', KEYS[1], string.format('%.0f %.0f %.0f', sec, usec, b),
                'PX', math.floor(b / 1000000) + 1)
            end
            """;

    /**
     * One decision. ARGV: increment ns, threshold ns (from {@link io.portcullis.ratelimit.Limit} for the request's
     * cost). Returns the decision word: the backlog after an admission, or {@code -1 - backlog} for a refusal.
     */
    static final LuaScript DECIDE = new LuaScript(READ_BACKLOG + """
            local increment, threshold = tonumber(ARGV[1]), tonumber(ARGV[2])
            if backlog > threshold then
              return -1 - backlog
            end
            backlog = backlog + increment
            store(backlog)
            return backlog
            """, ScriptOutputType.INTEGER);

    /**
     * A lease: up to {@code want} permits of cost 1 at once, each admitted exactly as {@link #DECIDE} would admit it
     * in turn. ARGV: interval ns, threshold ns for cost 1, want. Returns {@code {granted, backlog after}}.
     */
    static final LuaScript LEASE = new LuaScript(READ_BACKLOG + """
            local interval, threshold, want = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
            local granted = 0
            if backlog <= threshold then
              granted = math.min(want, math.floor((threshold - backlog) / interval) + 1)
              backlog = backlog + granted * interval
              store(backlog)
            end
            return {granted, backlog}
            """, ScriptOutputType.MULTI);

    private GcraScripts() {
    }
}
