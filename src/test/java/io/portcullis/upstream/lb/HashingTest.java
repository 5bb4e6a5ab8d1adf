package io.portcullis.upstream.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HashingTest {

    @Test
    void equalCharactersHashEquallyWhateverTheClass() {
        assertThat(Hashing.hash(new StringBuilder("x-user-id: 42"))).isEqualTo(Hashing.hash("x-user-id: 42"));
    }

    /** Sticky sessions survive restarts and mixed versions only if the value never changes: pin it. */
    @Test
    void valuesAreStable() {
        assertThat(Hashing.hash("")).isEqualTo(PINNED_EMPTY);
        assertThat(Hashing.hash("10.0.0.1:8080")).isEqualTo(PINNED_ADDRESS);
    }

    @Test
    void similarKeysDoNotCollideAndSpreadOverLowAndHighBits() {
        Set<Long> seen = new HashSet<>();
        int[] low = new int[16];
        int[] high = new int[16];
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            long h = Hashing.hash("user-" + i);
            assertThat(seen.add(h)).as("collision at user-%d", i).isTrue();
            low[(int) (h & 15)]++;
            high[(int) (h >>> 60)]++;
        }
        for (int b = 0; b < 16; b++) {
            assertThat((double) low[b]).isCloseTo(n / 16.0, within(n / 16.0 * 0.05));
            assertThat((double) high[b]).isCloseTo(n / 16.0, within(n / 16.0 * 0.05));
        }
    }

    @Test
    void oneCharacterChangeFlipsAboutHalfTheBits() {
        long total = 0;
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            total += Long.bitCount(Hashing.hash("key-" + i + "a") ^ Hashing.hash("key-" + i + "b"));
        }
        assertThat((double) total / n).isCloseTo(32.0, within(1.0));
    }

    @Test
    void mixIsABijectionOnSmallInputs() {
        Set<Long> seen = new HashSet<>();
        for (long i = 0; i < 100_000; i++) {
            assertThat(seen.add(Hashing.mix(i))).isTrue();
        }
    }

    private static final long PINNED_EMPTY = -1205034819632174695L;
    private static final long PINNED_ADDRESS = 9088002325914996516L;
}
