package io.portcullis.ratelimit;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.concurrent.TimeUnit;

/**
 * One limit's answer for one request, as the filter combines and reports it: the most restrictive of a request's
 * limits (a refusal over an admission; then the least remaining) is the one its response fields describe.
 */
record Verdict(String name, boolean allowed, long remaining, long resetNanos, long retryAfterNanos, long delayNanos,
        Decision.Basis basis, long quota, long windowSeconds) {

    static Verdict of(RateLimitRuntime.Engine engine, long word) {
        Limit limit = engine.limit();
        return new Verdict(engine.name(), Decision.isAllowed(word), limit.remaining(word), limit.resetNanos(word),
                Decision.isAllowed(word) ? 0 : limit.retryAfterNanos(word, 1), limit.delayNanos(word, 1),
                Decision.Basis.LOCAL, limit.size(), engine.windowSeconds());
    }

    static Verdict of(RateLimitRuntime.Engine engine, Decision d) {
        return new Verdict(engine.name(), d.allowed(), d.remaining(), d.resetNanos(), d.retryAfterNanos(),
                d.delayNanos(), d.basis(), engine.limit().size(), engine.windowSeconds());
    }

    /** The stricter of two verdicts; either may be null. */
    static Verdict stricter(Verdict a, Verdict b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        if (a.allowed != b.allowed) {
            return a.allowed ? b : a;
        }
        if (!a.allowed) {
            return a.retryAfterNanos >= b.retryAfterNanos ? a : b;
        }
        if (a.delayNanos != b.delayNanos) {
            return a.delayNanos > b.delayNanos ? a : b;
        }
        return remainingOf(a) <= remainingOf(b) ? a : b;
    }

    private static long remainingOf(Verdict v) {
        return v.remaining < 0 ? Long.MAX_VALUE : v.remaining;
    }

    /** {@code RateLimit-Policy} (draft-ietf-httpapi-ratelimit-headers): quota {@code q} per window {@code w}. */
    String policy() {
        return "\"" + name + "\";q=" + quota + ";w=" + windowSeconds;
    }

    /** {@code RateLimit}: {@code r} remaining now, {@code t} seconds until the quota is whole again. */
    String state() {
        long r = Math.max(0, remaining);
        long t = resetNanos < 0 ? windowSeconds : TimeUnit.NANOSECONDS.toSeconds(resetNanos + 999_999_999L);
        return "\"" + name + "\";r=" + r + ";t=" + t;
    }

    void addHeaders(HttpHeaders response) {
        response.set("RateLimit-Policy", policy());
        response.set("RateLimit", state());
    }
}
