package io.portcullis.ratelimit.anomaly;

import java.util.List;
import java.util.Optional;

/**
 * The anomaly engine as the gateway sees it (see the package Javadoc for where each call sits). Thread-safe:
 * {@link #record} and {@link #check} come from every event loop and never block; {@link #tick} comes from one
 * control thread once a second; {@link #active} and {@link #lift} from the admin API.
 *
 * <p>{@link #NONE} is the detector when the feature is switched off: it records nothing and allows everything.
 */
public interface AnomalyDetector {
    AnomalyDetector NONE = new AnomalyDetector() {
        @Override
        public void record(String clientIp, String consumer, String route, int status, String path) {
        }

        @Override
        public Action check(String clientIp, String consumer, String route) {
            return Action.NONE;
        }

        @Override
        public void tick(long nowNanos) {
        }

        @Override
        public List<AnomalyAction> active() {
            return List.of();
        }

        @Override
        public Optional<AnomalyAction> lift(String id) {
            return Optional.empty();
        }
    };

    /**
     * Counts one finished exchange for its client IP, consumer and route. Call it for every response the client
     * got, including the gateway's own 404s for unmatched paths, but not for requests this detector's own
     * {@link Action} refused (a refused flood would otherwise keep feeding its own evidence).
     */
    void record(String clientIp, String consumer, String route, int status, String path);

    default void record(Observation observation) {
        record(observation.clientIp(), observation.consumer(), observation.route(), observation.status(),
                observation.path());
    }

    /**
     * The strongest action in force against any of the request's keys (each may be null: a check by consumer alone
     * once authentication has named it), or {@link Action#NONE}. O(1); while nothing is enforced anywhere it is a single volatile read.
     */
    Action check(String clientIp, String consumer, String route);

    /**
     * Closes the current one-second bucket of every key: baselines learn, rules fire, actions expire. To be called
     * about once a second from one thread, with readings of the detector's own nano clock; a call less than half a
     * second after the previous one is ignored, and a late one folds the missed seconds into one bucket.
     */
    void tick(long nowNanos);

    /** Actions in force or in shadow, oldest first; for {@code GET /anomalies}. */
    List<AnomalyAction> active();

    /**
     * Ends an action early, by an operator's hand. The same rule stays quiet on the same key until the lifted
     * action would have expired, so a lifted false positive is not raised again a second later. Empty when no
     * active action has that id.
     */
    Optional<AnomalyAction> lift(String id);
}
