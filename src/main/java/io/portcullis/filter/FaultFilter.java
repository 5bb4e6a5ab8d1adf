package io.portcullis.filter;

import io.netty.handler.codec.http.HttpRequest;
import io.portcullis.config.FilterConfig;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Fault injection, for rehearsing failures: delays and/or aborts a share of the route's requests, or only those
 * carrying a header. An abort answers with the configured status and error {@code FAULT_INJECTED}; a delay holds the
 * request (not the event loop) before it goes upstream. Aborts are decided first, as in Envoy.
 */
public final class FaultFilter implements Filter {
    private final FilterConfig.Fault config;
    private final DoubleSupplier percentile;

    public FaultFilter(FilterConfig.Fault config) {
        this(config, () -> ThreadLocalRandom.current().nextDouble(100));
    }

    /** @param percentile uniform in [0, 100); injected so tests decide which requests are hit */
    FaultFilter(FilterConfig.Fault config, DoubleSupplier percentile) {
        this.config = config;
        this.percentile = percentile;
    }

    @Override
    public String name() {
        return "fault";
    }

    @Override
    public void onRequest(HttpRequest request, FilterChain chain) {
        if (config.header() != null && !request.headers().contains(config.header())) {
            chain.proceed();
            return;
        }
        if (config.abortStatus() != 0 && percentile.getAsDouble() < config.abortPercent()) {
            chain.respond(config.abortStatus(), "FAULT_INJECTED");
            return;
        }
        if (!config.delay().isZero() && percentile.getAsDouble() < config.delayPercent()) {
            chain.proceedAfter(config.delay().toNanos());
            return;
        }
        chain.proceed();
    }
}
