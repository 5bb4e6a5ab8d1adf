package io.portcullis.upstream.lb;

import java.util.random.RandomGenerator;

/**
 * Walker/Vose alias table: draws index {@code i} with probability {@code weights[i] / sum(weights)} in O(1) from
 * one random long. Immutable; thread-safety is that of the generator passed to {@link #sample}.
 */
final class AliasTable {
    /** Threshold per column in units of 2^-32, compared with 32 random bits. */
    private final long[] threshold;
    private final int[] alias;

    AliasTable(int[] weights) {
        int n = weights.length;
        threshold = new long[n];
        alias = new int[n];
        long sum = 0;
        for (int w : weights) {
            sum += w;
        }
        // Scaled probabilities p[i] * n, in doubles: exact enough for weights up to 2^31 and n up to millions.
        double[] scaled = new double[n];
        int[] small = new int[n];
        int[] large = new int[n];
        int s = 0;
        int l = 0;
        for (int i = 0; i < n; i++) {
            scaled[i] = (double) weights[i] * n / sum;
            if (scaled[i] < 1.0) {
                small[s++] = i;
            } else {
                large[l++] = i;
            }
        }
        while (s > 0 && l > 0) {
            int less = small[--s];
            int more = large[--l];
            threshold[less] = (long) (scaled[less] * (1L << 32));
            alias[less] = more;
            scaled[more] = scaled[more] + scaled[less] - 1.0;
            if (scaled[more] < 1.0) {
                small[s++] = more;
            } else {
                large[l++] = more;
            }
        }
        // Whatever is left is 1.0 up to rounding: keep the column.
        while (l > 0) {
            int i = large[--l];
            threshold[i] = 1L << 32;
            alias[i] = i;
        }
        while (s > 0) {
            int i = small[--s];
            threshold[i] = 1L << 32;
            alias[i] = i;
        }
    }

    int sample(RandomGenerator random) {
        long r = random.nextLong();
        // High 32 bits choose the column (multiply-shift), the independent low 32 bits toss its coin.
        int column = (int) (((r >>> 32) * threshold.length) >>> 32);
        return (r & 0xFFFFFFFFL) < threshold[column] ? column : alias[column];
    }
}
