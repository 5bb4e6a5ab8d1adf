package io.portcullis.security.apikey;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who a valid API key belongs to: what the API-key filter hands on to authorization, rate limiting and the access
 * log. Names and roles are restricted to {@code [A-Za-z0-9._@:+-]}, 1 to 128 characters, since they end up in log
 * lines and metric labels.
 *
 * @param name  unique in a store
 * @param roles what the consumer may do; order kept for files written back
 * @param keys  the consumer's key hashes ({@code sha256:<hex>}, kept lower-case); several while a key is rotated
 */
public record ApiConsumer(String name, Set<String> roles, List<String> keys) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@:+-]{1,128}");

    public ApiConsumer {
        name = checkName("consumer name", name);
        Set<String> r = new LinkedHashSet<>();
        for (String role : roles) {
            r.add(checkName("role of consumer " + name, role));
        }
        roles = Collections.unmodifiableSet(r);
        List<String> k = new ArrayList<>(keys.size());
        for (String key : keys) {
            k.add(ApiKeys.canonical(key));
        }
        keys = List.copyOf(k);
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    /** This consumer with one more key hash: a rotation's first step. */
    public ApiConsumer withKey(String hash) {
        List<String> more = new ArrayList<>(keys);
        more.add(hash);
        return new ApiConsumer(name, roles, more);
    }

    static String checkName(String what, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " must be 1 to 128 of A-Z a-z 0-9 . _ @ : + -, was "
                    + (value == null ? "null" : "\"" + value + "\""));
        }
        return value;
    }
}
