package io.portcullis.upstream.lb;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of one {@link LoadBalancer#pick} per policy, for 3 and 100 endpoints with unequal weights (1..4 repeating, so
 * round robin takes its weighted path). Each invocation passes the next of 1024 pre-computed request hashes, so the
 * hash policies see spread keys rather than one hot table entry. Least request reads live (idle) counters.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LoadBalancerBenchmark {
    private static final int HASHES = 1024;

    @Param({"ROUND_ROBIN", "RANDOM", "LEAST_REQUEST", "RING_HASH", "MAGLEV"})
    public Policy policy;

    @Param({"3", "100"})
    public int endpoints;

    private LoadBalancer lb;
    private long[] hashes;
    private int next;

    @Setup
    public void setUp() {
        int[] weights = new int[endpoints];
        for (int i = 0; i < endpoints; i++) {
            weights[i] = 1 + i % 4;
        }
        lb = LoadBalancer.create(policy, weights, new ActiveRequests(endpoints), new SplittableRandom(11));
        SplittableRandom random = new SplittableRandom(12);
        hashes = new long[HASHES];
        for (int i = 0; i < HASHES; i++) {
            hashes[i] = Hashing.hash("user-" + random.nextInt());
        }
    }

    @Benchmark
    public int pick() {
        int i = next;
        next = (i + 1) & (HASHES - 1);
        return lb.pick(hashes[i]);
    }
}
