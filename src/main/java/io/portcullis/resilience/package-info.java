/**
 * Resilience primitives the proxy path consults around each upstream call: circuit breakers
 * ({@link io.portcullis.resilience.CircuitBreaker}, asked before a cluster is called and told how the call ended;
 * built from config by {@link io.portcullis.resilience.Breakers}), retry budgets
 * ({@link io.portcullis.resilience.RetryBudget}, asked before a retry is sent), retry backoff
 * ({@link io.portcullis.resilience.Backoff}), passive outlier detection
 * ({@link io.portcullis.resilience.OutlierDetector}, fed each try's outcome) and the response cache of cache
 * fallbacks ({@link io.portcullis.resilience.ResponseCache}).
 *
 * <p>Thread-safe and free of Netty and I/O. One instance is shared by all event loops of a cluster (or route), so
 * the hot-path methods are lock-free and allocate nothing in steady state. Time and randomness are injected (a
 * {@code LongSupplier} nano clock, a {@code RandomGenerator}, a Caffeine ticker), so tests drive them by hand.
 * Wiring them into the request path happens in {@code server} and {@code upstream}.
 */
package io.portcullis.resilience;
