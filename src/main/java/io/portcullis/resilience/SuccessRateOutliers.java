package io.portcullis.resilience;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The success-rate half of {@link OutlierDetector#sweep}: closes the interval of every endpoint and names those whose
 * success rate is below {@code mean - stdevFactor * stdev} of their peers'. Runs on the cluster's control thread,
 * once per interval, so it may allocate.
 *
 * <p>Only endpoints in service with at least {@code requestVolume} requests in the interval take part, and nothing
 * is named unless at least {@code minimumHosts} take part: a mean over two endpoints says little about either.
 */
final class SuccessRateOutliers {
    private static final int[] NONE = new int[0];

    private final double stdevFactor;
    private final int minimumHosts;
    private final long requestVolume;

    SuccessRateOutliers(double stdevFactor, int minimumHosts, long requestVolume) {
        this.stdevFactor = stdevFactor;
        this.minimumHosts = minimumHosts;
        this.requestVolume = requestVolume;
    }

    /** Indexes into {@code all} of the outliers, worst first (so a cap that stops short keeps the worst out). */
    int[] outliers(List<OutlierState> all) {
        int n = all.size();
        double[] rates = new double[n];
        int[] qualified = new int[n];
        int count = 0;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            OutlierState state = all.get(i);
            // Taken from every endpoint, ejected or not, so each starts the next interval at zero.
            long counts = state.takeInterval();
            long requests = OutlierState.requests(counts);
            if (state.status() == OutlierState.IN_SERVICE && requests >= requestVolume) {
                rates[i] = (double) OutlierState.successes(counts) / requests;
                qualified[count++] = i;
                sum += rates[i];
            }
        }
        if (count < minimumHosts) {
            return NONE;
        }
        double mean = sum / count;
        double squares = 0;
        for (int k = 0; k < count; k++) {
            double d = rates[qualified[k]] - mean;
            squares += d * d;
        }
        double threshold = mean - stdevFactor * Math.sqrt(squares / count);
        return Arrays.stream(qualified, 0, count)
                .filter(i -> rates[i] < threshold)
                .boxed()
                .sorted(Comparator.comparingDouble(i -> rates[i]))
                .mapToInt(Integer::intValue)
                .toArray();
    }
}
