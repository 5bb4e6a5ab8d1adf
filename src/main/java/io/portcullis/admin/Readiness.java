package io.portcullis.admin;

import java.util.List;

/**
 * The answer to {@code GET /health/ready}: whether the gateway should get traffic, and if not, why (e.g. {@code
 * "cluster backend: no healthy endpoint"}). Produced by {@link AdminModel#readiness()} per probe.
 */
public record Readiness(boolean ready, List<String> reasons) {
    public static final Readiness READY = new Readiness(true, List.of());

    public Readiness {
        reasons = List.copyOf(reasons);
    }

    public static Readiness notReady(List<String> reasons) {
        return new Readiness(false, reasons);
    }
}
