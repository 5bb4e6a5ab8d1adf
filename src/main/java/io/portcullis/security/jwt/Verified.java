package io.portcullis.security.jwt;

import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A token that passed every check, with its claims for the filters after authentication (forwarded identity
 * headers, role checks). One instance is shared by every request that presents the same token while it is cached,
 * possibly on several event loops at once, so the claims are deep-frozen here: maps and lists unmodifiable, dates as
 * epoch seconds (their JSON form).
 *
 * @param subject   {@code sub}, or null
 * @param issuer    {@code iss}, or null
 * @param expiresAt {@code exp}; verification requires it
 * @param notBefore {@code nbf}, or null
 * @param algorithm the JWS {@code alg} it was signed with
 * @param keyId     the header's {@code kid}, or null
 * @param claims    every claim of the payload
 */
public record Verified(String subject, String issuer, Instant expiresAt, Instant notBefore, String algorithm,
                       String keyId, Map<String, Object> claims) implements Outcome {

    public Verified {
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(algorithm, "algorithm");
        @SuppressWarnings("unchecked")
        Map<String, Object> frozen = (Map<String, Object>) freeze(Objects.requireNonNull(claims, "claims"));
        claims = frozen;
    }

    static Verified of(JWTClaimsSet set, String algorithm, String keyId) {
        Date nbf = set.getNotBeforeTime();
        return new Verified(set.getSubject(), set.getIssuer(), set.getExpirationTime().toInstant(),
                nbf == null ? null : nbf.toInstant(), algorithm, keyId, set.getClaims());
    }

    /**
     * The value at a dotted path such as {@code realm_access.roles}, or null. At each level a key that contains the
     * rest of the path whole wins, so namespaced claims such as {@code https://example.com/roles} are found too.
     */
    public Object claim(String path) {
        Object node = claims;
        String rest = path;
        while (true) {
            if (!(node instanceof Map<?, ?> map)) {
                return null;
            }
            if (map.containsKey(rest)) {
                return map.get(rest);
            }
            int dot = rest.indexOf('.');
            if (dot < 0) {
                return null;
            }
            node = map.get(rest.substring(0, dot));
            rest = rest.substring(dot + 1);
        }
    }

    /**
     * The strings at a dotted path: a JSON array's string elements (others skipped), or a space-separated string
     * split into words, as OAuth's {@code scope}; empty when the path is absent or holds anything else.
     */
    public List<String> strings(String path) {
        Object value = claim(path);
        if (value instanceof String text) {
            List<String> words = new ArrayList<>();
            for (String word : text.split(" ")) {
                if (!word.isEmpty()) {
                    words.add(word);
                }
            }
            return List.copyOf(words);
        }
        if (value instanceof List<?> list) {
            List<String> out = new ArrayList<>(list.size());
            for (Object item : list) {
                if (item instanceof String s) {
                    out.add(s);
                }
            }
            return List.copyOf(out);
        }
        return List.of();
    }

    private static Object freeze(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>(map.size() * 2);
            map.forEach((k, v) -> copy.put(String.valueOf(k), freeze(v)));
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(v -> copy.add(freeze(v)));
            return Collections.unmodifiableList(copy);
        }
        if (value instanceof Date date) {
            return date.getTime() / 1000;
        }
        return value;
    }
}
