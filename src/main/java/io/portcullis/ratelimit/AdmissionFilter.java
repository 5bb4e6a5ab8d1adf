package io.portcullis.ratelimit;

import io.netty.handler.codec.http.HttpRequest;
import io.portcullis.filter.Filter;
import io.portcullis.filter.FilterChain;
import io.portcullis.filter.Principal;
import io.portcullis.filter.Rejection;
import io.portcullis.ratelimit.overload.AdmissionCallback;
import io.portcullis.ratelimit.overload.Permit;
import io.portcullis.ratelimit.overload.PriorityAdmission;
import io.portcullis.ratelimit.overload.Refusal;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Overload protection for a route: the request takes a slot of the gateway-wide adaptive concurrency limit for its
 * priority class, waiting (without holding its event loop) when the limit is reached; shed requests get 503
 * {@code OVERLOADED} with {@code Retry-After}. The slot is given back, with the request's latency for the limit to
 * learn from, when the request ends. Last of the security filters, so what waits has passed every check.
 *
 * <p>The class is the highest of the route's and those the authenticated consumer earns: by its roles, by its
 * name, or by a header authentication set (a JWT claim copied into a header). Authentication removes client-sent
 * copies of such headers, and the header is read only when it ran, so nothing the client sends chooses the class.
 */
final class AdmissionFilter implements Filter {
    private final PriorityAdmission admission;
    private final int routeClass;
    private final Classes classes;

    AdmissionFilter(PriorityAdmission admission, int routeClass, Classes classes) {
        this.admission = admission;
        this.routeClass = routeClass;
        this.classes = classes;
    }

    @Override
    public String name() {
        return "overload";
    }

    @Override
    public void onRequest(HttpRequest request, FilterChain chain) {
        int priority = Math.max(routeClass, classes.of(chain.principal(), request));
        CompletableFuture<Object> decided = new CompletableFuture<>();
        Permit permit = admission.tryAcquire(priority, Runnable::run, new AdmissionCallback() {
            @Override
            public void onAdmitted(Permit p) {
                decided.complete(p);
            }

            @Override
            public void onRefused(Permit p, Refusal reason, Duration retryAfter) {
                decided.complete(new Shed(reason, retryAfter));
            }
        });
        chain.onComplete((status, nanos) -> {
            if (permit.isAdmitted()) {
                // A 503 or a cut-off answer is the overload signal the limit lowers itself on.
                admission.release(permit, nanos, status != 0 && status != 503 && status != 504);
            } else if (!admission.cancel(permit) && permit.isAdmitted()) {
                admission.abandon(permit);
            }
        });
        chain.await(decided, (outcome, error) -> {
            if (outcome instanceof Shed shed) {
                chain.reject(Rejection.of(503, "OVERLOADED", shed.reason().name().toLowerCase(Locale.ROOT))
                        .withHeader("Retry-After", Long.toString(Math.max(1, shed.retryAfter().toSeconds()))));
            } else {
                chain.proceed();
            }
        });
    }

    private record Shed(Refusal reason, Duration retryAfter) {}

    /**
     * The classes consumers earn, as indexes into the configured classes (higher wins).
     *
     * @param roles     role to class ({@code overload.roles})
     * @param consumers consumer name to class ({@code overload.consumers})
     * @param header    the gateway-set header whose value names a class, or null
     * @param values    header value to class; empty when the value is the class name itself
     * @param names     class name to class, for header values that are class names
     */
    record Classes(List<Map.Entry<String, Integer>> roles, Map<String, Integer> consumers, String header,
            Map<String, Integer> values, Map<String, Integer> names) {
        /** The highest class {@code principal} earns, or -1 when it earns none (or nobody authenticated). */
        int of(Principal principal, HttpRequest request) {
            if (principal == null) {
                return -1;
            }
            int p = -1;
            for (Map.Entry<String, Integer> role : roles) {
                if (principal.roles().contains(role.getKey())) {
                    p = Math.max(p, role.getValue());
                }
            }
            if (!consumers.isEmpty() && principal.consumer() != null) {
                p = Math.max(p, consumers.getOrDefault(principal.consumer(), -1));
            }
            if (header != null) {
                String value = request.headers().get(header);
                if (value != null) {
                    p = Math.max(p, (values.isEmpty() ? names : values).getOrDefault(value, -1));
                }
            }
            return p;
        }
    }
}
