package io.portcullis.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One named rate limit ({@code rate_limits:} at the top level), applied by the routes and listeners whose policy
 * lists its name. A request is counted against every limit that applies; the most restrictive decides.
 *
 * @param key            what is counted separately: parts such as {@code client_ip}, {@code consumer}, {@code route},
 *                       {@code header:<name>}, {@code claim:<path>}, joined; a consumer-based part of an anonymous
 *                       request counts by client IP instead
 * @param algorithm      token bucket (rate + burst) or leaky bucket (fixed drain, bounded queueing delay)
 * @param rate           requests allowed per {@code per}
 * @param per            the period of {@code rate}
 * @param burst          token bucket: how many may come at once (default: {@code rate})
 * @param maxDelay       leaky bucket: longest a request may wait for its turn before it is refused
 * @param shared         counted in Redis by every instance together, rather than per instance
 * @param batch          shared only: tokens leased from Redis at a time (0 = one decision per request)
 * @param onTimeout      what a shared limit answers when Redis is up but a decision got no answer within
 *                       {@code redis.timeout}; while Redis is down, each instance enforces its share instead
 *                       (rate ÷ the instances it knows)
 * @param tiers          other rates for consumers with a role, first match wins
 */
public record RateLimitConfig(String name, List<String> key, Algorithm algorithm, long rate, Duration per, long burst,
        Duration maxDelay, boolean shared, int batch, Failure onTimeout, List<Tier> tiers) {

    public enum Algorithm { TOKEN_BUCKET, LEAKY_BUCKET }

    /** Allow (availability first) or refuse (protection first). */
    public enum Failure { FAIL_OPEN, FAIL_CLOSED }

    public RateLimitConfig {
        Objects.requireNonNull(name, "name");
        key = List.copyOf(key);
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(per, "per");
        Objects.requireNonNull(onTimeout, "onTimeout");
        tiers = List.copyOf(tiers);
        if (rate <= 0) {
            throw new IllegalArgumentException("rate must be > 0, was " + rate);
        }
    }

    /** A rate for consumers holding {@code role}. */
    public record Tier(String role, long rate, long burst) {
        public Tier {
            Objects.requireNonNull(role, "role");
        }
    }
}
