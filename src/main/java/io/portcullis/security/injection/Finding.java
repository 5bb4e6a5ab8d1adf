package io.portcullis.security.injection;

import java.util.Objects;

/**
 * What {@link InjectionDetector} reports for a value that looks like an attack, for the injection filter's answer,
 * access log and metrics. The rule is a short label built only from the detector's own vocabulary (a rule name and,
 * for SQL, the token fingerprint in the quoting context that matched), so it is safe to log; the input is never
 * copied into it.
 *
 * @param kind the attack class
 * @param rule e.g. {@code sqli.tautology/'/s&n=nc} or {@code xss.tag/script}
 */
public record Finding(Kind kind, String rule) {
    /** The attack classes the detector knows. */
    public enum Kind {
        SQLI,
        XSS
    }

    public Finding {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(rule, "rule");
    }
}
