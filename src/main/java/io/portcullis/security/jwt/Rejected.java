package io.portcullis.security.jwt;

import java.util.Objects;

/**
 * A refused token: a {@link Reason} for metrics and the response, and a detail for the access log. The detail never
 * holds the token; values taken from it (kid, alg, iss) pass through {@link #quote} first, because they are
 * attacker-chosen and end up in log lines.
 */
public record Rejected(Reason reason, String detail) implements Outcome {
    private static final int MAX_QUOTED = 48;

    public Rejected {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
    }

    /** An untrusted value made safe for one log line: printable ASCII only, at most 48 characters, quoted. */
    static String quote(String untrusted) {
        if (untrusted == null) {
            return "(none)";
        }
        int n = Math.min(untrusted.length(), MAX_QUOTED);
        StringBuilder out = new StringBuilder(n + 5).append('\'');
        for (int i = 0; i < n; i++) {
            char c = untrusted.charAt(i);
            out.append(c >= 0x20 && c < 0x7f && c != '\'' ? c : '?');
        }
        if (untrusted.length() > n) {
            out.append("...");
        }
        return out.append('\'').toString();
    }
}
