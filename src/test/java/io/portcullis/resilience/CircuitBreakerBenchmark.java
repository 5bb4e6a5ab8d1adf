package io.portcullis.resilience;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Cost of one call's breaker work on the hot path, {@link CircuitBreaker#tryAcquire} then
 * {@link CircuitBreaker#onSuccess}, in CLOSED, with one breaker shared by 1 and by 2 threads (event loops of one
 * cluster), so the second figure includes contention on the window's current bucket. {@code clock=nanoTime} is
 * what the gateway would pass; {@code clock=fixed} shows the breaker's own share without the clock read.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CircuitBreakerBenchmark {
    private static final long DURATION = 1_000_000; // 1ms: neither slow nor failed

    @Param({"nanoTime", "fixed"})
    public String clock;

    private CircuitBreaker breaker;

    @Setup
    public void setUp() {
        LongSupplier nanoClock = clock.equals("fixed") ? () -> 42L : System::nanoTime;
        breaker = new CircuitBreaker("bench", CircuitBreaker.Config.DEFAULT, nanoClock, CircuitBreaker.Listener.NONE);
    }

    @Benchmark
    @Threads(1)
    public long oneThread() {
        return call();
    }

    @Benchmark
    @Threads(2)
    public long twoThreads() {
        return call();
    }

    private long call() {
        long permit = breaker.tryAcquire();
        breaker.onSuccess(permit, DURATION);
        return permit;
    }
}
