package io.portcullis.ratelimit;

import io.netty.handler.codec.http.HttpRequest;
import io.portcullis.filter.Filter;
import io.portcullis.filter.FilterChain;
import io.portcullis.filter.Principal;
import io.portcullis.filter.Rejection;
import io.portcullis.ratelimit.anomaly.Action;
import io.portcullis.ratelimit.anomaly.AnomalyDetector;

/**
 * Anomaly detection on the request path: refuses what an active action says (a block: 403 {@code ANOMALY_BLOCKED};
 * a throttle over its rate: 429 {@code ANOMALY_THROTTLED}) and tells the detector how every other request ended,
 * whichever filter, the gateway or a backend answered it (the consumer as authentication found it). Requests the
 * detector refused itself are not counted, so an attack does not keep feeding its own evidence.
 *
 * <p>Early in the chain (before authentication), so a blocked client costs no signature check; the check is by
 * client address and route, as the consumer is not known yet. {@link ByConsumer} checks the consumer after
 * authorization.
 */
final class AnomalyFilter implements Filter {
    /** The errors of this filter's refusals, which the detector is never told about. */
    private static final String REFUSAL_PREFIX = "ANOMALY_";
    private final AnomalyDetector detector;
    private final String route;

    AnomalyFilter(AnomalyDetector detector, String route) {
        this.detector = detector;
        this.route = route;
    }

    @Override
    public String name() {
        return "anomaly";
    }

    @Override
    public void onRequest(HttpRequest request, FilterChain chain) {
        String client = chain.clientAddress();
        if (refused(detector.check(client, null, route), chain)) {
            return;
        }
        String uri = request.uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        chain.onComplete((status, nanos) -> {
            Rejection refused = chain.rejection();
            if (refused != null && refused.error().startsWith(REFUSAL_PREFIX)) {
                return; // refused by consumer later in the chain: its own 403s must not read as credential stuffing
            }
            Principal p = chain.principal();
            detector.record(client, p == null ? null : p.consumer(), route, status, path);
        });
        chain.proceed();
    }

    /** Refuses the request when {@code action} says so; false when it may go on. */
    static boolean refused(Action action, FilterChain chain) {
        if (action.kind() == Action.Kind.BLOCK) {
            chain.reject(Rejection.of(403, "ANOMALY_BLOCKED", action.cause().id()));
            return true;
        }
        if (action.kind() == Action.Kind.THROTTLE && !action.admit(System.nanoTime())) {
            chain.reject(Rejection.of(429, "ANOMALY_THROTTLED", action.cause().id()).withHeader("Retry-After", "1"));
            return true;
        }
        return false;
    }

    /**
     * The detector's actions on the request's consumer (a flood from one API key spread over many addresses), after
     * authorization named it; anonymous requests pass, as their address was checked already.
     */
    static final class ByConsumer implements Filter {
        private final AnomalyDetector detector;

        ByConsumer(AnomalyDetector detector) {
            this.detector = detector;
        }

        @Override
        public String name() {
            return "anomaly";
        }

        @Override
        public void onRequest(HttpRequest request, FilterChain chain) {
            Principal p = chain.principal();
            if (p == null || p.consumer() == null || !refused(detector.check(null, p.consumer(), null), chain)) {
                chain.proceed();
            }
        }
    }
}
