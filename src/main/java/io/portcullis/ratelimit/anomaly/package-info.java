/**
 * L7 anomaly detection (issue 9): per-key baselines that flag request floods, credential stuffing, path scanning
 * and route error spikes, and the temporary actions they raise (shadow, throttle, block).
 *
 * <p>Where it sits: a filter asks {@link io.portcullis.ratelimit.anomaly.AnomalyDetector#check} before routing a
 * request upstream and answers 403 or 429 itself when the returned {@link io.portcullis.ratelimit.anomaly.Action}
 * says so; after the response it reports an {@link io.portcullis.ratelimit.anomaly.Observation} through
 * {@link io.portcullis.ratelimit.anomaly.AnomalyDetector#record}. A control thread calls
 * {@link io.portcullis.ratelimit.anomaly.AnomalyDetector#tick} once a second: that is where baselines learn, rules
 * decide and actions expire. The admin API lists {@link io.portcullis.ratelimit.anomaly.AnomalyAction}s and lifts
 * them.
 *
 * <p>The split keeps the event loops cheap: {@code record} only bumps counters of three keys (client IP, consumer,
 * route), {@code check} is one volatile read while nothing is enforced, and everything that costs (EWMAs, windows,
 * strings for the admin API) happens on the tick. Free of Netty, I/O and {@code io.portcullis.config}; time is
 * injected as a nano clock so tests drive it by hand.
 */
package io.portcullis.ratelimit.anomaly;
