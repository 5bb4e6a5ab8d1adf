package io.portcullis.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LimitTest {
    private static final long MS = 1_000_000;

    @Test
    void tokenBucketArithmetic() {
        Limit limit = Limit.tokenBucket(10, Duration.ofSeconds(1), 5);
        assertThat(limit.intervalNanos()).isEqualTo(100 * MS);
        assertThat(limit.maxCost()).isEqualTo(5);
        assertThat(limit.maxBacklogNanos()).isEqualTo(500 * MS);

        long first = limit.decide(0, 1);
        assertThat(Decision.isAllowed(first)).isTrue();
        assertThat(limit.remaining(first)).isEqualTo(4);
        assertThat(limit.resetNanos(first)).isEqualTo(100 * MS);

        long full = limit.decide(500 * MS, 1);
        assertThat(Decision.isAllowed(full)).isFalse();
        assertThat(limit.remaining(full)).isZero();
        assertThat(limit.retryAfterNanos(full, 1)).isEqualTo(100 * MS);
        assertThat(limit.retryAfterNanos(limit.decide(450 * MS, 2), 2)).isEqualTo(150 * MS);
        assertThat(limit.delayNanos(first, 1)).isZero();
    }

    @Test
    void leakyBucketArithmeticDelaysInsteadOfRefusing() {
        Limit limit = Limit.leakyBucket(10, Duration.ofSeconds(1), Duration.ofMillis(350));
        assertThat(limit.maxCost()).isEqualTo(4); // delays 0, 100, 200, 300 ms fit
        long w = limit.decide(250 * MS, 1);
        assertThat(limit.delayNanos(w, 1)).isEqualTo(250 * MS);
        assertThat(limit.remaining(w)).isEqualTo(1); // the next one would wait exactly max_delay: admitted
        long refused = limit.decide(351 * MS, 1);
        assertThat(Decision.isAllowed(refused)).isFalse();
        assertThat(limit.retryAfterNanos(refused, 1)).isEqualTo(1 * MS);
        assertThat(Decision.isAllowed(limit.decide(350 * MS, 1))).isTrue(); // waits exactly max_delay
    }

    @Test
    void dividedByKeepsTheWholeWithinTheLimit() {
        Limit limit = Limit.tokenBucket(300, Duration.ofSeconds(1), 100);
        Limit third = limit.dividedBy(3);
        assertThat(third.intervalNanos()).isEqualTo(10_000_000); // 100 per second
        assertThat(third.maxCost()).isEqualTo(33);
        assertThat(Limit.tokenBucket(10, Duration.ofSeconds(1), 2).dividedBy(5).maxCost()).isEqualTo(1);
        assertThat(limit.dividedBy(1)).isSameAs(limit);
    }

    @Test
    void invalidSettingsNameTheField() {
        assertThatThrownBy(() -> Limit.tokenBucket(0, Duration.ofSeconds(1), 1))
                .hasMessage("permits must be >= 1, was 0");
        assertThatThrownBy(() -> Limit.tokenBucket(1, Duration.ZERO, 1))
                .hasMessage("period must be in (0, 365d], was PT0S");
        assertThatThrownBy(() -> Limit.tokenBucket(1, Duration.ofSeconds(1), 0))
                .hasMessage("burst must be >= 1, was 0");
        assertThatThrownBy(() -> Limit.leakyBucket(1, Duration.ofSeconds(1), Duration.ofMillis(-1)))
                .hasMessage("max_delay must be in [0, 1d], was PT-0.001S");
        assertThatThrownBy(() -> Limit.tokenBucket(1, Duration.ofSeconds(1), 3).checkCost(4))
                .hasMessage("cost must be in [1, 3] for token bucket 1/PT1S burst 3, was 4");
    }
}
