package io.portcullis.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Gateway-wide overload protection ({@code overload:}): an adaptive concurrency limit over all requests, and
 * priority classes that decide who waits and who is shed once it is reached.
 *
 * @param classes        class names from lowest to highest priority; a route names one (default: the middle one,
 *                       or the lowest of two)
 * @param roles          a consumer role to the class its requests get at least
 * @param consumers      a consumer name to the class its requests get at least
 * @param header         a header the gateway itself sets (a JWT claim copied by {@code claims_to_headers}, or the
 *                       consumer header) whose value gives a class, or null
 * @param initialLimit   requests in flight allowed at start, before latency has been measured
 * @param minLimit       the limit never goes below this
 * @param maxLimit       nor above this
 * @param maxQueuePerClass requests of one class that may wait for a slot
 * @param maxQueueTime   the longest a request waits for a slot before it is shed
 * @param retryAfter     what shed requests are told ({@code Retry-After})
 */
public record OverloadConfig(List<String> classes, Map<String, String> roles, Map<String, String> consumers,
        PriorityHeader header, int initialLimit, int minLimit, int maxLimit, int maxQueuePerClass,
        Duration maxQueueTime, Duration retryAfter) {
    public OverloadConfig {
        classes = List.copyOf(classes);
        roles = Map.copyOf(roles);
        consumers = Map.copyOf(consumers);
        Objects.requireNonNull(maxQueueTime, "maxQueueTime");
        Objects.requireNonNull(retryAfter, "retryAfter");
    }

    /** The class a route gets when it names none. */
    public String defaultClass() {
        return classes.get((classes.size() - 1) / 2);
    }

    /**
     * The class named by a gateway-set header: its value maps through {@code values}, or, when that is empty, is
     * the class name itself. A value that names no class gives none.
     *
     * @param name   the header, lower case
     * @param values a header value to a class
     */
    public record PriorityHeader(String name, Map<String, String> values) {
        public PriorityHeader {
            Objects.requireNonNull(name, "name");
            values = Map.copyOf(values);
        }
    }
}
