package io.portcullis.ratelimit;

import io.netty.handler.codec.http.HttpRequest;
import io.portcullis.filter.Filter;
import io.portcullis.filter.FilterChain;
import io.portcullis.filter.Principal;
import io.portcullis.filter.Rejection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Rate limits of a route: every limit that applies counts the request under its key; the most restrictive decides.
 * Local limits decide at once without allocating; shared ones ask Redis (all at once, one round trip each, pipelined)
 * and the request waits for them without holding its event loop. Refused: 429 {@code RATE_LIMITED} with
 * {@code Retry-After}; admitted by a leaky bucket: the request goes upstream after its turn. Both carry the IETF
 * {@code RateLimit-Policy} and {@code RateLimit} fields of the most restrictive limit.
 */
final class RateLimitFilter implements Filter {
    private final List<RateLimitRuntime.Applied> limits;
    private final String route;

    RateLimitFilter(List<RateLimitRuntime.Applied> limits, String route) {
        this.limits = List.copyOf(limits);
        this.route = route;
    }

    @Override
    public String name() {
        return "rate_limit";
    }

    @Override
    public void onRequest(HttpRequest request, FilterChain chain) {
        Principal principal = chain.principal();
        Verdict verdict = null;
        List<CompletableFuture<Verdict>> pending = null;
        for (RateLimitRuntime.Applied limit : limits) {
            String key = limit.key(request, chain.clientAddress(), principal, route);
            RateLimitRuntime.Engine engine = limit.engine(principal);
            if (engine.local() != null) {
                long word = engine.local().acquire(key, 1);
                verdict = Verdict.stricter(verdict, Verdict.of(engine, word));
            } else {
                if (pending == null) {
                    pending = new ArrayList<>(2);
                }
                pending.add(engine.shared().decide(key, 1).toCompletableFuture()
                        .thenApply(d -> Verdict.of(engine, d)));
            }
        }
        if (pending == null) {
            decide(chain, verdict);
            return;
        }
        Verdict local = verdict;
        List<CompletableFuture<Verdict>> all = pending;
        chain.await(CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)), (ignored, error) -> {
            Verdict combined = local;
            for (CompletableFuture<Verdict> f : all) {
                combined = Verdict.stricter(combined, f.join()); // shared engines never complete exceptionally
            }
            decide(chain, combined);
        });
    }

    private static void decide(FilterChain chain, Verdict v) {
        if (v.allowed()) {
            chain.onResponse(h -> v.addHeaders(h));
            if (v.delayNanos() > 0) {
                chain.proceedAfter(v.delayNanos());
            } else {
                chain.proceed();
            }
            return;
        }
        long retryAfter = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(v.retryAfterNanos() + 999_999_999L));
        Rejection r = Rejection.of(429, "RATE_LIMITED", "limit " + v.name() + " (" + v.basis() + ")")
                .withHeader("Retry-After", Long.toString(retryAfter))
                .withHeader("RateLimit-Policy", v.policy())
                .withHeader("RateLimit", v.state());
        chain.reject(r);
    }
}
