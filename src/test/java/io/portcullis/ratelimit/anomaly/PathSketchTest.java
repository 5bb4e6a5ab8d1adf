package io.portcullis.ratelimit.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import org.junit.jupiter.api.Test;

class PathSketchTest {
    @Test
    void repeatsOfOnePathCountOnce() {
        long bits = 0;
        for (int i = 0; i < 1000; i++) {
            bits |= PathSketch.bit("/favicon.ico");
        }
        assertThat(PathSketch.estimate(bits)).isEqualTo(1);
        assertThat(PathSketch.estimate(0)).isZero();
    }

    @Test
    void estimatesAreCloseWhereTheScanningThresholdSits() {
        // Averaged over many path sets, the estimate is unbiased; any one set is within a few paths.
        for (int n : new int[] {5, 10, 15, 20, 30, 50}) {
            double sum = 0;
            int worst = 0;
            for (int trial = 0; trial < 200; trial++) {
                long bits = 0;
                for (int i = 0; i < n; i++) {
                    bits |= PathSketch.bit("/t" + trial + "/wp-admin/" + i + ".php");
                }
                int estimate = PathSketch.estimate(bits);
                sum += estimate;
                worst = Math.max(worst, Math.abs(estimate - n));
            }
            assertThat(sum / 200).as("mean estimate of %d", n).isCloseTo(n, offset(n * 0.08 + 0.5));
            assertThat(worst).as("worst error at %d", n).isLessThanOrEqualTo(n / 2 + 2);
        }
    }

    @Test
    void aFullSketchSaysMany() {
        long bits = 0;
        for (int i = 0; i < 5000; i++) {
            bits |= PathSketch.bit("/" + i);
        }
        assertThat(bits).isEqualTo(-1L);
        assertThat(PathSketch.estimate(bits)).isEqualTo(PathSketch.SATURATED).isGreaterThan(250);
    }
}
