package io.portcullis.observe;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The security audit trail: one JSON line per request a security filter refused ({@code "event":"deny"}) or
 * flagged in detect-only mode ({@code "event":"detect"}), on the logger {@code portcullis.audit}, so operators can
 * route it apart from the operational log. Lines carry reason codes and the filter's short detail, never a token,
 * key or body.
 */
public final class AuditLog {
    private static final Logger LOG = LoggerFactory.getLogger("portcullis.audit");

    private AuditLog() {
    }

    public static boolean enabled() {
        return LOG.isInfoEnabled();
    }

    /**
     * @param event    {@code deny} or {@code detect}
     * @param status   the answer's status, or 0 when the request went on
     * @param consumer the authenticated caller, or null
     */
    public static void record(String event, String requestId, String route, String filter, String reason, int status,
            String client, String consumer, String method, String path, String detail) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        StringBuilder sb = new StringBuilder(256).append('{');
        field(sb, "event", event);
        field(sb, "request_id", requestId);
        field(sb, "route", route);
        field(sb, "filter", filter);
        field(sb, "reason", reason);
        if (status != 0) {
            sb.append("\"status\":").append(status).append(',');
        }
        field(sb, "client", client);
        field(sb, "consumer", consumer);
        field(sb, "method", method);
        field(sb, "path", path);
        field(sb, "detail", detail);
        sb.setLength(sb.length() - 1);
        LOG.info(sb.append('}').toString());
    }

    private static void field(StringBuilder sb, String name, String value) {
        if (value == null) {
            return;
        }
        sb.append('"').append(name).append("\":\"");
        Json.escape(value, sb);
        sb.append("\",");
    }
}
