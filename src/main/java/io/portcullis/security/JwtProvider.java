package io.portcullis.security;

import io.portcullis.config.SecurityConfig;
import io.portcullis.filter.Principal;
import io.portcullis.security.jwt.JwtVerifier;
import io.portcullis.security.jwt.Verified;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One configured JWT issuer at run time: its verifier (with its key source) and how a verified token becomes a
 * {@link Principal}: the consumer claim, the roles and scopes claims.
 */
record JwtProvider(SecurityConfig.JwtProvider config, JwtVerifier verifier, AutoCloseable keys) {

    Principal principal(Verified token) {
        Object named = token.claim(config.consumerClaim());
        String consumer = named instanceof String s ? s : token.subject() != null ? token.subject() : "anonymous";
        Set<String> roles = new LinkedHashSet<>(token.strings(config.rolesClaim()));
        Set<String> scopes = new LinkedHashSet<>(token.strings(config.scopesClaim()));
        return new Principal(consumer, "jwt", roles, scopes, token.claims());
    }

    /** A claim as header text: strings as they are, numbers and booleans printed, anything else skipped (null). */
    static String headerValue(Object claim) {
        if (claim instanceof String s) {
            return s;
        }
        if (claim instanceof Number || claim instanceof Boolean) {
            return claim.toString();
        }
        if (claim instanceof java.util.List<?> list) {
            StringBuilder sb = new StringBuilder();
            for (Object item : list) {
                if (item instanceof String || item instanceof Number) {
                    sb.append(sb.isEmpty() ? "" : ",").append(item);
                }
            }
            return sb.toString();
        }
        return null;
    }
}
