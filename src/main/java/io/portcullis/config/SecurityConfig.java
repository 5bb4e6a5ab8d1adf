package io.portcullis.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The gateway-wide security definitions routes and listeners refer to by name ({@code security:} at the top level):
 * JWT providers, API-key consumers, the mapping from client certificates to consumers, and named IP lists. What a
 * route requires is its {@link PolicyConfig}.
 *
 * @param jwt                JWT issuers whose tokens are accepted, by name
 * @param apiKeys            API-key consumers, or null when API keys are not used
 * @param clientCertificates verified client certificates that identify a consumer (mTLS), first match wins
 * @param ipLists            named IP lists a policy can include
 * @param consumerHeader     the upstream request header that names the authenticated consumer; a client-sent copy is
 *                           always removed
 */
public record SecurityConfig(List<JwtProvider> jwt, ApiKeys apiKeys, List<CertificateConsumer> clientCertificates,
        List<IpList> ipLists, String consumerHeader) {

    public static final String DEFAULT_CONSUMER_HEADER = "x-consumer";
    public static final SecurityConfig NONE = new SecurityConfig(List.of(), null, List.of(), List.of(),
            DEFAULT_CONSUMER_HEADER);

    public SecurityConfig {
        jwt = List.copyOf(jwt);
        clientCertificates = List.copyOf(clientCertificates);
        ipLists = List.copyOf(ipLists);
        Objects.requireNonNull(consumerHeader, "consumerHeader");
    }

    /**
     * One token issuer. Keys come from exactly one of {@code jwksUrl}, {@code jwksFile} (a JWKS or PEM public keys),
     * unless only {@code hmacSecret} is set (HS256/384/512, opted in by giving the secret).
     *
     * @param algorithms        accepted {@code alg} values; empty = every asymmetric one (RS*, PS*, ES256/384,
     *                          EdDSA), plus HS* when a secret is set
     * @param audiences         accepted {@code aud} values (any of); empty = not checked
     * @param claimsToHeaders   claim name (dotted path) to upstream header; client-sent copies are removed first
     * @param consumerClaim     the claim naming the consumer (default {@code sub})
     * @param rolesClaim        dotted path of the roles claim, an array or a space-separated string
     * @param scopesClaim       dotted path of the scopes claim (default {@code scope})
     * @param stripAuthorization remove the {@code Authorization} header before the request goes upstream
     */
    public record JwtProvider(String name, String jwksUrl, Path jwksFile, String hmacSecret, String issuer,
            List<String> audiences, List<String> algorithms, Duration clockSkew, List<String> requiredClaims,
            long maxTokenSize, Duration refreshInterval, Duration minRefetchInterval, Duration fetchTimeout,
            List<Map.Entry<String, String>> claimsToHeaders, String consumerClaim, String rolesClaim,
            String scopesClaim, boolean stripAuthorization) {
        public JwtProvider {
            Objects.requireNonNull(name, "name");
            audiences = List.copyOf(audiences);
            algorithms = List.copyOf(algorithms);
            requiredClaims = List.copyOf(requiredClaims);
            claimsToHeaders = List.copyOf(claimsToHeaders);
        }
    }

    /**
     * API keys: looked up in {@code header}, else in the query parameter {@code queryParam} (removed before the
     * request goes upstream). Consumers come from config and/or a YAML file that is re-read when it changes.
     */
    public record ApiKeys(String header, String queryParam, Path file, List<Consumer> consumers,
            Duration reloadInterval) {
        public ApiKeys {
            Objects.requireNonNull(header, "header");
            consumers = List.copyOf(consumers);
        }
    }

    /** A consumer and the SHA-256 hashes ({@code sha256:<hex>}) of its active keys; several allow rotation. */
    public record Consumer(String name, List<String> roles, List<String> keys) {
        public Consumer {
            roles = List.copyOf(roles);
            keys = List.copyOf(keys);
        }
    }

    /**
     * A verified client certificate that identifies {@code consumer}: every set field must match (subject DN,
     * a DNS or URI SAN, the certificate's SHA-256).
     */
    public record CertificateConsumer(String consumer, List<String> roles, String subject, String dns, String uri,
            String sha256) {
        public CertificateConsumer {
            Objects.requireNonNull(consumer, "consumer");
            roles = List.copyOf(roles);
        }
    }

    /** A named IP list: CIDRs from config and from files (one per line, re-read when they change). */
    public record IpList(String name, List<String> allow, List<String> deny, Path allowFile, Path denyFile,
            Duration reloadInterval) {
        public IpList {
            Objects.requireNonNull(name, "name");
            allow = List.copyOf(allow);
            deny = List.copyOf(deny);
        }
    }
}
