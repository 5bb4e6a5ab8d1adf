/**
 * Overload protection engines of the gateway as a whole, independent of any one route or backend: what keeps the
 * gateway and its backends useful when more arrives than they can serve.
 *
 * <ul>
 *   <li>{@link io.portcullis.ratelimit.overload.ConnectionLimits}, at accept time: connections in total and per
 *       client, the new-connection rate per client, and ({@link io.portcullis.ratelimit.overload.RequestBudget})
 *       requests per connection.
 *   <li>{@link io.portcullis.ratelimit.overload.PriorityAdmission}, per request after routing gave it a priority
 *       class: admits while fewer than the limit are in flight, queues by class beyond it, sheds the lowest class
 *       first ({@link io.portcullis.ratelimit.overload.Refusal}, answered with 503 and {@code Retry-After}).
 *   <li>{@link io.portcullis.ratelimit.overload.AdaptiveLimit}, the limit it admits against, learnt from latency
 *       with a gradient; {@link io.portcullis.ratelimit.overload.ConcurrencyLimit#fixed} for a fixed one.
 * </ul>
 *
 * <p>Plain Java, free of Netty and of {@code config}: the overload filter and the listener handler build these
 * from config and call them from event loops. Shared by all event loops, so the per-request paths are lock-free
 * (compare-and-set counters, striped accumulators); only a request that has to wait takes a short lock. Time is an
 * injected {@code LongSupplier} nano clock, so tests drive it by hand.
 */
package io.portcullis.ratelimit.overload;
