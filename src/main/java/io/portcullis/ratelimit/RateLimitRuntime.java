package io.portcullis.ratelimit;

import io.lettuce.core.RedisURI;
import io.netty.handler.codec.http.HttpRequest;
import io.portcullis.config.GatewayConfig;
import io.portcullis.config.ListenerConfig;
import io.portcullis.config.RateLimitConfig;
import io.portcullis.config.RedisConfig;
import io.portcullis.config.RouteConfig;
import io.portcullis.filter.Filter;
import io.portcullis.filter.Principal;
import io.portcullis.config.OverloadConfig;
import io.portcullis.ratelimit.anomaly.AnomalyDetector;
import io.portcullis.ratelimit.overload.AdaptiveLimit;
import io.portcullis.ratelimit.overload.PriorityAdmission;
import io.portcullis.ratelimit.redis.FailMode;
import io.portcullis.ratelimit.redis.LeasedRateLimiter;
import io.portcullis.ratelimit.redis.RedisLink;
import io.portcullis.ratelimit.redis.RedisRateLimiter;
import io.portcullis.ratelimit.redis.SharedLimit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rate limits of one config snapshot: an engine per limit and tier (local, or shared through one Redis link),
 * and the filter each route gets. Engines whose config did not change carry over to the next snapshot with their
 * counts, as does the Redis link when its settings did not change.
 */
public final class RateLimitRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RateLimitRuntime.class);

    /** One limit (or tier) as it counts: local, or shared. */
    record Engine(String name, Limit limit, LocalRateLimiter local, SharedRateLimiter shared, long windowSeconds) {}

    /** A named limit as a route applies it: its key and its engines (the base one and one per tier). */
    record Applied(RateLimitConfig config, Engine base, List<Map.Entry<String, Engine>> tiers) {
        Engine engine(Principal principal) {
            if (principal != null) {
                for (Map.Entry<String, Engine> tier : tiers) {
                    if (principal.roles().contains(tier.getKey())) {
                        return tier.getValue();
                    }
                }
            }
            return base;
        }

        /** The key the request counts under: its parts joined with '|'; a single part is used as it is. */
        String key(HttpRequest request, String clientAddress, Principal principal, String route) {
            List<String> parts = config.key();
            if (parts.size() == 1) {
                return part(parts.get(0), request, clientAddress, principal, route);
            }
            StringBuilder sb = new StringBuilder(64);
            for (String p : parts) {
                sb.append(sb.isEmpty() ? "" : "|").append(part(p, request, clientAddress, principal, route));
            }
            return sb.toString();
        }

        private static String part(String part, HttpRequest request, String client, Principal principal,
                String route) {
            return switch (part) {
                case "client_ip" -> client;
                case "consumer" -> principal != null ? principal.consumer() : "ip:" + client;
                case "route" -> route;
                default -> {
                    if (part.startsWith("header:")) {
                        String v = request.headers().get(part.substring(7));
                        yield v == null ? "-" : v;
                    }
                    Object claim = principal == null ? null : claim(principal.claims(), part.substring(6));
                    yield claim == null ? "-" : claim.toString();
                }
            };
        }

        private static Object claim(Map<String, Object> claims, String path) {
            Object node = claims;
            for (String step : path.split("\\.")) {
                if (!(node instanceof Map<?, ?> map)) {
                    return null;
                }
                node = map.get(step);
            }
            return node;
        }
    }

    private final RedisConfig redisConfig;
    private final RedisLink redis;
    private final Map<RateLimitConfig, Applied> byConfig;
    private final Map<String, Applied> byName;

    private RateLimitRuntime(RedisConfig redisConfig, RedisLink redis, Map<RateLimitConfig, Applied> byConfig) {
        this.redisConfig = redisConfig;
        this.redis = redis;
        this.byConfig = byConfig;
        this.byName = new HashMap<>();
        byConfig.forEach((c, a) -> byName.put(c.name(), a));
    }

    /** Builds the limits of {@code config}, taking over from {@code previous} what did not change. */
    public static RateLimitRuntime build(GatewayConfig config, RateLimitRuntime previous) {
        RedisLink redis = null;
        boolean needsRedis = config.rateLimits().stream().anyMatch(RateLimitConfig::shared);
        if (needsRedis) {
            RedisConfig r = config.redis();
            redis = previous != null && previous.redis != null && r.equals(previous.redisConfig) ? previous.redis
                    : RedisLink.builder(RedisURI.builder().withHost(r.host()).withPort(r.port())
                            .withTimeout(r.connectTimeout()).build())
                            .keyPrefix(r.keyPrefix() + ":")
                            .heartbeatInterval(r.heartbeat())
                            .connectTimeout(r.connectTimeout())
                            .build();
        }
        boolean sameRedis = previous == null || previous.redis == redis;
        Map<RateLimitConfig, Applied> byConfig = new HashMap<>();
        for (RateLimitConfig c : config.rateLimits()) {
            Applied kept = previous != null && sameRedis ? previous.byConfig.get(c) : null;
            byConfig.put(c, kept != null ? kept : applied(c, redis, config.redis()));
        }
        return new RateLimitRuntime(config.redis(), redis, byConfig);
    }

    private static Applied applied(RateLimitConfig c, RedisLink redis, RedisConfig redisConfig) {
        Engine base = engine(c.name(), c, c.rate(), c.burst(), redis, redisConfig);
        List<Map.Entry<String, Engine>> tiers = new ArrayList<>();
        for (RateLimitConfig.Tier t : c.tiers()) {
            tiers.add(Map.entry(t.role(), engine(c.name() + "#" + t.role(), c, t.rate(), t.burst(), redis,
                    redisConfig)));
        }
        return new Applied(c, base, List.copyOf(tiers));
    }

    private static Engine engine(String name, RateLimitConfig c, long rate, long burst, RedisLink redis,
            RedisConfig redisConfig) {
        Limit limit = c.algorithm() == RateLimitConfig.Algorithm.LEAKY_BUCKET
                ? Limit.leakyBucket(rate, c.per(), c.maxDelay())
                : Limit.tokenBucket(rate, c.per(), burst);
        long window = Math.max(1, c.per().toSeconds());
        if (!c.shared()) {
            return new Engine(name, limit, new LocalRateLimiter(limit, System::nanoTime), null, window);
        }
        SharedLimit shared = new SharedLimit(name, limit, redisConfig.timeout(),
                c.onTimeout() == RateLimitConfig.Failure.FAIL_CLOSED ? FailMode.CLOSED : FailMode.OPEN);
        SharedRateLimiter limiter = c.batch() > 0
                ? new LeasedRateLimiter(redis, shared, c.batch(), c.per().plus(Duration.ofSeconds(1)), System::nanoTime)
                : new RedisRateLimiter(redis, shared, System::nanoTime);
        return new Engine(name, limit, null, limiter, window);
    }

    /**
     * The rate-limit filter of {@code route} on {@code listener} (the listener's limits and the route's), or null
     * when none applies.
     */
    public Filter filter(RouteConfig route, ListenerConfig listener) {
        Set<String> names = new LinkedHashSet<>(listener.security().rateLimits());
        names.addAll(route.security().rateLimits());
        if (names.isEmpty()) {
            return null;
        }
        List<Applied> applied = new ArrayList<>();
        for (String name : names) {
            applied.add(byName.get(name));
        }
        return new RateLimitFilter(applied, route.name());
    }

    /** The anomaly filter of a route: enforces the detector's actions and feeds it how requests ended. */
    public static Filter anomalyFilter(AnomalyDetector detector, String route) {
        return new AnomalyFilter(detector, route);
    }

    /** Enforces the detector's actions on a request's consumer, once authentication has named one. */
    public static Filter consumerAnomalyFilter(AnomalyDetector detector) {
        return new AnomalyFilter.ByConsumer(detector);
    }

    /**
     * The overload filter of a route: its requests take a slot of {@code admission} in the route's class, or a higher
     * one their consumer earns by role, name or a gateway-set header; null when overload protection is off.
     */
    public static Filter admissionFilter(PriorityAdmission admission, OverloadConfig overload, RouteConfig route) {
        if (admission == null) {
            return null;
        }
        List<String> names = overload.classes();
        String name = route.security().priority() != null ? route.security().priority() : overload.defaultClass();
        List<Map.Entry<String, Integer>> roles = new ArrayList<>();
        overload.roles().forEach((role, cls) -> roles.add(Map.entry(role, names.indexOf(cls))));
        Map<String, Integer> byName = new HashMap<>();
        names.forEach(n -> byName.put(n, names.indexOf(n)));
        OverloadConfig.PriorityHeader header = overload.header();
        return new AdmissionFilter(admission, names.indexOf(name), new AdmissionFilter.Classes(roles,
                indexes(overload.consumers(), names), header == null ? null : header.name(),
                header == null ? Map.of() : indexes(header.values(), names), byName));
    }

    private static Map<String, Integer> indexes(Map<String, String> toClass, List<String> classes) {
        Map<String, Integer> out = new HashMap<>();
        toClass.forEach((k, cls) -> out.put(k, classes.indexOf(cls)));
        return out;
    }

    /** The gateway-wide admission controller of {@code overload}; it lives as long as the gateway. */
    public static PriorityAdmission admission(OverloadConfig overload) {
        AdaptiveLimit limit = AdaptiveLimit.builder().initialLimit(overload.initialLimit())
                .minLimit(overload.minLimit()).maxLimit(overload.maxLimit()).build();
        return PriorityAdmission.builder(limit).classes(overload.classes().size())
                .maxQueuedPerClass(overload.maxQueuePerClass()).maxQueueTime(overload.maxQueueTime())
                .retryAfter(overload.retryAfter()).build();
    }

    /** Stops the Redis link if {@code next} does not use it. */
    public void closeUnused(RateLimitRuntime next) {
        if (redis != null && next.redis != redis) {
            closeRedis();
        }
    }

    @Override
    public void close() {
        if (redis != null) {
            closeRedis();
        }
    }

    private void closeRedis() {
        try {
            redis.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the Redis link failed: {}", e.toString());
        }
    }
}
