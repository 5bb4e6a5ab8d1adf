package io.portcullis.security;

import io.netty.handler.codec.http.HttpRequest;
import io.portcullis.config.PolicyConfig;
import io.portcullis.filter.Filter;
import io.portcullis.filter.FilterChain;
import io.portcullis.filter.Principal;
import io.portcullis.filter.Rejection;
import java.util.List;
import java.util.Set;

/**
 * Authorization: the consumer that authentication recognised must hold the route's roles and scopes (any of, all
 * of) or be one of its named consumers; 403 with the first missing thing otherwise. Runs after {@link AuthFilter};
 * a request without a principal here is refused with 401 (the config refuses {@code authorize} without
 * {@code auth}, so that is a public route's caller without credentials).
 */
final class AuthorizeFilter implements Filter {
    private final PolicyConfig.Authorize rules;

    AuthorizeFilter(PolicyConfig.Authorize rules) {
        this.rules = rules;
    }

    @Override
    public String name() {
        return "authorize";
    }

    @Override
    public void onRequest(HttpRequest request, FilterChain chain) {
        Principal p = chain.principal();
        if (p == null) {
            chain.reject(Rejection.of(401, "MISSING_CREDENTIALS", "authorization needs an authenticated consumer"));
            return;
        }
        String missing = missing(p);
        if (missing == null) {
            chain.proceed();
        } else {
            chain.reject(Rejection.of(403, missing.substring(0, missing.indexOf(' ')),
                    missing.substring(missing.indexOf(' ') + 1) + " (consumer " + p.consumer() + ")"));
        }
    }

    /** Returns "CODE detail" for the first rule the principal fails, or null. */
    private String missing(Principal p) {
        if (!rules.consumers().isEmpty() && !rules.consumers().contains(p.consumer())) {
            return "CONSUMER_NOT_ALLOWED consumer not in the route's list";
        }
        if (!anyOf(p.roles(), rules.rolesAnyOf()) || !allOf(p.roles(), rules.rolesAllOf())) {
            return "MISSING_ROLE needs roles " + describe(rules.rolesAnyOf(), rules.rolesAllOf());
        }
        if (!anyOf(p.scopes(), rules.scopesAnyOf()) || !allOf(p.scopes(), rules.scopesAllOf())) {
            return "MISSING_SCOPE needs scopes " + describe(rules.scopesAnyOf(), rules.scopesAllOf());
        }
        return null;
    }

    private static boolean anyOf(Set<String> held, List<String> wanted) {
        if (wanted.isEmpty()) {
            return true;
        }
        for (String w : wanted) {
            if (held.contains(w)) {
                return true;
            }
        }
        return false;
    }

    private static boolean allOf(Set<String> held, List<String> wanted) {
        return held.containsAll(wanted);
    }

    private static String describe(List<String> anyOf, List<String> allOf) {
        return (anyOf.isEmpty() ? "" : "any of " + anyOf) + (anyOf.isEmpty() || allOf.isEmpty() ? "" : " and ")
                + (allOf.isEmpty() ? "" : "all of " + allOf);
    }
}
