package io.portcullis.server;

import io.portcullis.filter.FilterChain;
import io.portcullis.filter.Principal;
import io.portcullis.filter.Rejection;
import io.portcullis.observe.AuditLog;

/** Turns what a request's filters refused or flagged into metrics and audit lines. */
final class SecurityEvents {
    private SecurityEvents() {
    }

    /** The chain answered the request: one rejection counted and audited. */
    static void rejected(GatewayContext context, FilteredRequest f) {
        Rejection r = f.chain.rejection();
        if (r.status() < 400) {
            return; // an answer, not a refusal: a CORS preflight
        }
        String filter = r.filter() == null ? "unknown" : r.filter();
        context.metrics().securityRejection(f.route.name(), filter, r.error());
        audit("deny", f, filter, r.error(), r.status(), r.detail());
    }

    /** Findings of detect-only filters, whatever the outcome. */
    static void detected(GatewayContext context, FilteredRequest f) {
        for (FilterChain.Detection d : f.chain.detections()) {
            context.metrics().securityDetection(f.route.name(), d.filter(), d.reason());
            audit("detect", f, d.filter(), d.reason(), 0, d.detail());
        }
    }

    private static void audit(String event, FilteredRequest f, String filter, String reason, int status,
            String detail) {
        Principal principal = f.chain.principal();
        AuditLog.record(event, f.requestId, f.route.name(), filter, reason, status, f.chain.clientAddress(),
                principal == null ? null : principal.consumer(), f.request.method().name(),
                DownstreamHandler.pathForLog(f.request.uri()), detail);
    }
}
