package io.portcullis.filter;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The caller an authentication filter recognised: what authorization, rate limits and upstream headers are based on.
 *
 * @param consumer the caller's name: a JWT's subject (or configured claim), an API-key consumer, a certificate's
 *     mapped consumer
 * @param method   how it was recognised: {@code jwt}, {@code api_key} or {@code mtls}
 * @param roles    roles granted to the caller
 * @param scopes   OAuth scopes granted (JWT only; empty otherwise)
 * @param claims   the verified token's claims (JWT only; empty otherwise)
 */
public record Principal(String consumer, String method, Set<String> roles, Set<String> scopes,
        Map<String, Object> claims) {
    public Principal {
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(method, "method");
        roles = Set.copyOf(roles);
        scopes = Set.copyOf(scopes);
        claims = claims == null ? Map.of() : claims;
    }
}
