package io.portcullis.resilience;

import io.portcullis.config.ResilienceConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the circuit breakers the config asks for (a cluster's, or a route's own), each logging its transitions in
 * one line and telling {@code also} (metrics).
 */
public final class Breakers {
    private static final Logger LOG = LoggerFactory.getLogger(CircuitBreaker.class);

    private Breakers() {
    }

    public static CircuitBreaker create(String name, ResilienceConfig.Breaker config, CircuitBreaker.Listener also) {
        CircuitBreaker.Config c = new CircuitBreaker.Config(config.failureRate(), config.slowCallRate(),
                config.slowCallDuration(), config.minimumCalls(), config.window(), config.openDuration(),
                config.halfOpenCalls());
        return new CircuitBreaker(name, c, System::nanoTime, (breaker, from, to, reason) -> {
            if (to == CircuitBreaker.State.OPEN) {
                LOG.warn("circuit breaker {}: {} -> open ({})", name, from, reason);
            } else {
                LOG.info("circuit breaker {}: {} -> {} ({})", name, from, to, reason);
            }
            also.onStateChange(breaker, from, to, reason);
        });
    }
}
