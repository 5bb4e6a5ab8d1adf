/**
 * Rate limits: the filter ({@link io.portcullis.ratelimit.RateLimitFilter}) and the per-snapshot state it uses
 * ({@link io.portcullis.ratelimit.RateLimitRuntime}: an engine per limit and tier, the Redis link), and the engines,
 * asked once per request before it is routed upstream: the limit
 * arithmetic ({@link io.portcullis.ratelimit.Limit}: token bucket and leaky bucket, both GCRA), the local engine
 * ({@link io.portcullis.ratelimit.LocalRateLimiter}: per instance, lock-free, allocation-free, exact under
 * concurrency), the verdict ({@link io.portcullis.ratelimit.Decision}) and the contract of the shared engines
 * ({@link io.portcullis.ratelimit.SharedRateLimiter}, implemented over Redis in
 * {@link io.portcullis.ratelimit.redis}).
 *
 * <p>The engines are free of config, Netty and the filter chain: the runtime builds them from config with plain
 * constructors. Overload protection ({@code overload}) and anomaly detection ({@code anomaly}) live beside them.
 * Time is injected as a {@code LongSupplier} nano clock (STYLE habit 6), so tests drive local limits by hand;
 * shared limits use Redis's clock, so instance clocks do not matter to them.
 */
package io.portcullis.ratelimit;
