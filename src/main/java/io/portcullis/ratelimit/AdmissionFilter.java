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
 * <p>The class is the route's, raised by the consumer's roles; nothing the client sends chooses it.
 */
final class AdmissionFilter implements Filter {
    private final PriorityAdmission admission;
    private final int routeClass;
    /** Role to class, from the config's {@code overload.roles}. */
    private final List<Map.Entry<String, Integer>> roles;

    AdmissionFilter(PriorityAdmission admission, int routeClass, List<Map.Entry<String, Integer>> roles) {
        this.admission = admission;
        this.routeClass = routeClass;
        this.roles = List.copyOf(roles);
    }

    @Override
    public String name() {
        return "overload";
    }

    @Override
    public void onRequest(HttpRequest request, FilterChain chain) {
        int priority = priority(chain.principal());
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

    private int priority(Principal principal) {
        int p = routeClass;
        if (principal != null) {
            for (Map.Entry<String, Integer> role : roles) {
                if (principal.roles().contains(role.getKey())) {
                    p = Math.max(p, role.getValue());
                }
            }
        }
        return p;
    }

    private record Shed(Refusal reason, Duration retryAfter) {}
}
