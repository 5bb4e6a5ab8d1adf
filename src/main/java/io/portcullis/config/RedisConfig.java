package io.portcullis.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The Redis that instances share state through ({@code redis:}): shared rate limits.
 *
 * @param host           Redis host
 * @param port           Redis port
 * @param timeout        the longest a request waits for a decision from Redis; past it the limit's failure mode
 *                       applies
 * @param connectTimeout time allowed to (re)connect
 * @param heartbeat      how often this instance announces itself, so every instance knows how many share a limit
 * @param keyPrefix      prefix of every key the gateway writes
 */
public record RedisConfig(String host, int port, Duration timeout, Duration connectTimeout, Duration heartbeat,
        String keyPrefix) {
    public RedisConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(heartbeat, "heartbeat");
        Objects.requireNonNull(keyPrefix, "keyPrefix");
    }
}
