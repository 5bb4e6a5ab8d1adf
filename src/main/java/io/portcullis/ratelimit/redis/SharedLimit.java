package io.portcullis.ratelimit.redis;

import io.portcullis.ratelimit.Limit;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One shared limit's settings, validated once when config is built.
 *
 * @param name the limit's identity across instances: instances using the same name share one state per key, so it
 *     must be the same on every instance and unique among limits. Part of the Redis key.
 * @param limit what the limit allows
 * @param timeout how long a decision waits for Redis before {@code failMode} answers; a few milliseconds
 * @param failMode the answer when Redis does not answer within {@code timeout}
 */
public record SharedLimit(String name, Limit limit, Duration timeout, FailMode failMode) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    public SharedLimit {
        Objects.requireNonNull(name, "name must not be null");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name must be 1-64 of [A-Za-z0-9_.-], was '" + name + "'");
        }
        Objects.requireNonNull(limit, "limit must not be null");
        Objects.requireNonNull(timeout, "timeout must not be null");
        if (!timeout.isPositive() || timeout.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new IllegalArgumentException("timeout must be in (0, 10s], was " + timeout);
        }
        Objects.requireNonNull(failMode, "fail_mode must not be null");
    }
}
