package io.portcullis.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private static final long MS = 1_000_000;

    @Test
    void delaysStayWithinTheDoublingCapAndUseAllOfIt() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));
        SplittableRandom random = new SplittableRandom(42);
        for (int retry = 1; retry <= 40; retry++) {
            long cap = Math.min(10_000 * MS, (100 * MS) << Math.min(retry - 1, 20));
            long largest = 0;
            for (int i = 0; i < 2_000; i++) {
                long delay = backoff.delayNanos(retry, random);
                assertThat(delay).as("retry %d", retry).isBetween(0L, cap);
                largest = Math.max(largest, delay);
            }
            // Full jitter spreads over the whole interval, not just its bottom.
            assertThat(largest).as("retry %d", retry).isGreaterThan(cap * 95 / 100);
        }
    }

    @Test
    void capStopsGrowingAtMax() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));
        assertThat(backoff.cap(1)).isEqualTo(100 * MS);
        assertThat(backoff.cap(4)).isEqualTo(800 * MS);
        assertThat(backoff.cap(5)).isEqualTo(1_000 * MS);
        assertThat(backoff.cap(30)).isEqualTo(1_000 * MS);
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            assertThat(backoff.delayNanos(12, random)).isBetween(0L, 1_000 * MS);
        }
    }

    @Test
    void meanIsHalfTheCap() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));
        SplittableRandom random = new SplittableRandom(1);
        int n = 100_000;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += backoff.delayNanos(3, random);
        }
        // Uniform over [0, 400ms]: mean 200ms, standard error of the mean 400ms / sqrt(12 n) ≈ 0.37ms; 4ms is ~11σ.
        assertThat(sum / n).isCloseTo(200.0 * MS, within(4.0 * MS));
    }

    @Test
    void largeRetryNumbersDoNotOverflow() {
        Backoff day = new Backoff(Duration.ofMillis(1), Duration.ofDays(1));
        Backoff huge = new Backoff(Duration.ofSeconds(1), Duration.ofNanos(Long.MAX_VALUE));
        SplittableRandom random = new SplittableRandom(3);
        for (int retry : new int[] {62, 63, 64, 65, 100, 1_000, Integer.MAX_VALUE}) {
            assertThat(day.cap(retry)).as("retry %d", retry).isEqualTo(Duration.ofDays(1).toNanos());
            assertThat(huge.cap(retry)).as("retry %d", retry).isEqualTo(Long.MAX_VALUE);
            for (int i = 0; i < 1_000; i++) {
                assertThat(day.delayNanos(retry, random)).isBetween(0L, Duration.ofDays(1).toNanos());
                assertThat(huge.delayNanos(retry, random)).isNotNegative();
            }
        }
        assertThat(huge.cap(34)).isEqualTo(1_000_000_000L << 33);
    }

    @Test
    void invalidArgumentsNameTheField() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("base must be > 0, was PT0S");
        assertThatThrownBy(() -> new Backoff(Duration.ofMillis(-5), Duration.ofSeconds(1)))
                .hasMessage("base must be > 0, was PT-0.005S");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("max must be >= base (PT2S), was PT1S");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofDays(300 * 365L)))
                .hasMessageStartingWith("max must be <= ");
        Backoff backoff = new Backoff(Duration.ofMillis(1), Duration.ofMillis(1));
        assertThatThrownBy(() -> backoff.delayNanos(0, new SplittableRandom()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("retry must be >= 1, was 0");
    }
}
