package io.portcullis.security.validate;

import io.netty.handler.codec.http.HttpMethod;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A route's method allowlist: the 405 check (with its {@code Allow} header) that the validation filter runs first,
 * on the request head. Distinct from the router's method condition, which decides whether a route matches at all
 * (404 when none does); this one says the route exists but does not take that method.
 *
 * <p>Methods are case-sensitive tokens (RFC 9110), so {@code get} is not {@code GET}. {@code HEAD} is not implied
 * by {@code GET}: list it if wanted. {@link #any()} is the switched-off allowlist. Immutable and thread-safe.
 */
public final class AllowedMethods {

    private static final AllowedMethods ANY = new AllowedMethods(Set.of(), "");

    private final Set<String> methods;
    private final String allowHeader;

    private AllowedMethods(Set<String> methods, String allowHeader) {
        this.methods = methods;
        this.allowHeader = allowHeader;
    }

    /** Every method is allowed. */
    public static AllowedMethods any() {
        return ANY;
    }

    /** An allowlist of at least one method token; a bad entry is an {@link IllegalArgumentException} naming it. */
    public static AllowedMethods of(Collection<String> methods) {
        if (methods.isEmpty()) {
            throw new IllegalArgumentException("methods must list at least one method (or be left out)");
        }
        Set<String> set = new LinkedHashSet<>();
        for (String method : methods) {
            if (!MediaType.isToken(method)) {
                throw new IllegalArgumentException("method '" + method + "' is not a valid method token");
            }
            set.add(method);
        }
        return new AllowedMethods(Set.copyOf(set), String.join(", ", set));
    }

    /** {@link #of(Collection)} for literals. */
    public static AllowedMethods of(String... methods) {
        return of(List.of(methods));
    }

    public boolean allows(HttpMethod method) {
        return allows(method.name());
    }

    public boolean allows(String method) {
        return methods.isEmpty() || methods.contains(method);
    }

    /** No violations, or one for {@code method} (answer 405 with {@link #allowHeader()}). */
    public List<Violation> check(HttpMethod method) {
        return allows(method) ? List.of()
                : List.of(new Violation("method", method.name() + " is not allowed; allowed: " + allowHeader,
                        "method_not_allowed"));
    }

    /** The value of the {@code Allow} header of a 405, in configured order; empty for {@link #any()}. */
    public String allowHeader() {
        return allowHeader;
    }
}
