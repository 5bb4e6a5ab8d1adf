/**
 * Resilience primitives the proxy path consults around each upstream call: circuit breakers
 * ({@link io.portcullis.resilience.CircuitBreaker}, asked before a cluster is called and told how the call ended),
 * retry budgets ({@link io.portcullis.resilience.RetryBudget}, asked before a retry is sent) and retry backoff
 * ({@link io.portcullis.resilience.Backoff}); outlier detection will live here too.
 *
 * <p>Pure and thread-safe: no Netty, no I/O, no config parsing. One instance is shared by all event loops of a
 * cluster (or route), so the hot-path methods are lock-free and allocate nothing in steady state. Time and
 * randomness are injected (a {@code LongSupplier} nano clock, a {@code RandomGenerator}), so tests drive them by
 * hand. Wiring these into {@code server} and binding their settings from {@code config} happens elsewhere.
 */
package io.portcullis.resilience;
