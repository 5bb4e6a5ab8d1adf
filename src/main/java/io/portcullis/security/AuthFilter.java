package io.portcullis.security;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.portcullis.config.SecurityConfig;
import io.portcullis.filter.Filter;
import io.portcullis.filter.FilterChain;
import io.portcullis.filter.Principal;
import io.portcullis.filter.Rejection;
import io.portcullis.security.apikey.ApiConsumer;
import io.portcullis.security.apikey.ApiKeySource;
import io.portcullis.security.jwt.Outcome;
import io.portcullis.security.jwt.Reason;
import io.portcullis.security.jwt.Rejected;
import io.portcullis.security.jwt.Verified;
import io.portcullis.tls.ClientIdentity;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Authentication: recognises the caller by the first credential present among the route's methods, in the order
 * configured: a JWT bearer token, an API key (header, else query parameter), a verified client certificate. A
 * credential that is present but wrong is refused with 401 (the next method is not tried: a bad token must not
 * fall back to weaker proof); no credential at all is 401 {@code MISSING_CREDENTIALS}. Both carry
 * {@code WWW-Authenticate} (RFC 6750 for bearer tokens).
 *
 * <p>On success the caller becomes the chain's {@link Principal}, its name goes upstream in the consumer header,
 * and chosen claims in their headers; the API key itself never goes upstream. Client-sent copies of every identity
 * header are removed first, on public routes too.
 */
final class AuthFilter implements Filter {
    static final String REALM = "portcullis";

    /** One way to authenticate, in the route's order. */
    sealed interface Method permits Jwt, ApiKey, Mtls {}

    /** Bearer tokens of these providers, tried in order while one says the token is not its own. */
    record Jwt(List<JwtProvider> providers) implements Method {}

    /** @param sources the consumers of the config and of the key file, looked up in this order */
    record ApiKey(SecurityConfig.ApiKeys config, List<ApiKeySource> sources) implements Method {
        ApiConsumer lookup(String key) {
            for (ApiKeySource source : sources) {
                ApiConsumer found = source.lookup(key);
                if (found != null) {
                    return found;
                }
            }
            return null;
        }
    }

    /** @param mappings certificate to consumer; empty = any verified certificate, named by its first SAN */
    record Mtls(List<SecurityConfig.CertificateConsumer> mappings) implements Method {}

    private final List<Method> methods;
    private final boolean required;
    private final List<String> identityHeaders;
    private final String consumerHeader;
    private final String challenge;

    /**
     * @param methods         accepted methods in order; empty with {@code required == false} only strips headers
     * @param required        the route is not public: a caller must authenticate
     * @param identityHeaders every header the gateway sets from an identity (consumer, claims): removed from requests
     */
    AuthFilter(List<Method> methods, boolean required, List<String> identityHeaders, String consumerHeader) {
        this.methods = List.copyOf(methods);
        this.required = required;
        this.identityHeaders = List.copyOf(identityHeaders);
        this.consumerHeader = consumerHeader;
        boolean bearer = methods.stream().anyMatch(m -> m instanceof Jwt);
        this.challenge = (bearer ? "Bearer" : "ApiKey") + " realm=\"" + REALM + "\"";
    }

    @Override
    public String name() {
        return "auth";
    }

    @Override
    public void onRequest(HttpRequest request, FilterChain chain) {
        HttpHeaders headers = request.headers();
        for (String h : identityHeaders) {
            headers.remove(h);
        }
        if (!required) {
            chain.proceed();
            return;
        }
        for (Method m : methods) {
            switch (m) {
                case Jwt jwt -> {
                    String token = bearerToken(headers.get(HttpHeaderNames.AUTHORIZATION));
                    if (token != null) {
                        chain.await(verify(jwt.providers(), token, 0), (result, error) ->
                                onVerified(request, chain, result, error));
                        return;
                    }
                }
                case ApiKey keys -> {
                    String key = ApiKeyCredential.take(request, keys.config());
                    if (key != null) {
                        ApiConsumer consumer = keys.lookup(key);
                        if (consumer == null) {
                            chain.reject(challenge(Rejection.of(401, "INVALID_API_KEY", "no consumer has this key"),
                                    null));
                            return;
                        }
                        accept(request, chain, new Principal(consumer.name(), "api_key", consumer.roles(), Set.of(),
                                Map.of()));
                        return;
                    }
                }
                case Mtls mtls -> {
                    ClientIdentity identity = chain.peer().identity();
                    if (identity != null) {
                        Principal p = CertificateConsumers.principal(identity, mtls.mappings());
                        if (p == null) {
                            chain.reject(challenge(Rejection.of(401, "UNKNOWN_CLIENT_CERTIFICATE",
                                    "certificate " + identity.subject() + " maps to no consumer"), null));
                            return;
                        }
                        accept(request, chain, p);
                        return;
                    }
                }
            }
        }
        chain.reject(challenge(Rejection.of(401, "MISSING_CREDENTIALS", "no credential presented"), null));
    }

    private void onVerified(HttpRequest request, FilterChain chain, VerifiedBy result, Throwable error) {
        if (error != null) {
            chain.reject(challenge(Rejection.of(401, "INVALID_TOKEN", "verification failed: " + error),
                    "invalid_token"));
            return;
        }
        if (result.outcome() instanceof Rejected rejected) {
            chain.reject(challenge(Rejection.of(401, "TOKEN_" + rejected.reason().name(), rejected.detail()),
                    "invalid_token"));
            return;
        }
        Verified token = (Verified) result.outcome();
        JwtProvider provider = result.provider();
        HttpHeaders headers = request.headers();
        for (Map.Entry<String, String> e : provider.config().claimsToHeaders()) {
            String value = JwtProvider.headerValue(token.claim(e.getKey()));
            if (value != null) {
                headers.set(e.getValue(), value);
            }
        }
        if (provider.config().stripAuthorization()) {
            headers.remove(HttpHeaderNames.AUTHORIZATION);
        }
        accept(request, chain, provider.principal(token));
    }

    private void accept(HttpRequest request, FilterChain chain, Principal principal) {
        chain.authenticate(principal);
        request.headers().set(consumerHeader, principal.consumer());
        chain.proceed();
    }

    private Rejection challenge(Rejection r, String error) {
        return r.withHeader(HttpHeaderNames.WWW_AUTHENTICATE.toString(),
                error == null ? challenge : challenge + ", error=\"" + error + "\"");
    }

    /** The token of {@code Authorization: Bearer <token>}, or null for no or another scheme. */
    static String bearerToken(String authorization) {
        if (authorization == null || authorization.length() < 7
                || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    /** Which provider answered, with its outcome. */
    record VerifiedBy(JwtProvider provider, Outcome outcome) {}

    /**
     * Tries the providers in order; a token that names another issuer or a key a provider does not have moves on to
     * the next, and the last provider's answer stands.
     */
    private static CompletableFuture<VerifiedBy> verify(List<JwtProvider> providers, String token, int i) {
        JwtProvider p = providers.get(i);
        return p.verifier().verify(token).thenCompose(outcome -> {
            boolean notMine = outcome instanceof Rejected r
                    && (r.reason() == Reason.BAD_ISSUER || r.reason() == Reason.UNKNOWN_KEY);
            return notMine && i + 1 < providers.size() ? verify(providers, token, i + 1)
                    : CompletableFuture.completedFuture(new VerifiedBy(p, outcome));
        });
    }
}
