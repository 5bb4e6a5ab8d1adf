package io.portcullis.security.apikey;

import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every consumer and the hashes of its keys, immutable: what the API-key filter asks, once per request, who a
 * presented key belongs to. Built from config or by {@link ApiKeyFile}; replaced whole on reload.
 *
 * <p><b>Lookup.</b> The presented key is hashed, the hash's first 8 bytes are binary-searched in a sorted array,
 * and the candidate's full 32 bytes are confirmed with {@link MessageDigest#isEqual} (constant time). The search
 * takes different times for different presented keys, but it only ever sees a SHA-256 of what the client sent: it
 * tells an attacker how the hash of their own guess compares with stored hashes, which is no help in finding a key
 * whose hash is stored.
 */
public final class ApiKeyStore implements ApiKeySource {
    private static final ApiKeyStore EMPTY = new ApiKeyStore(List.of(), new long[0], new byte[0][], new ApiConsumer[0]);
    /** Event loops are FastThreadLocalThreads; a digest is reset by {@code digest()}, so reuse is safe. */
    private static final FastThreadLocal<MessageDigest> SHA256 = new FastThreadLocal<>() {
        @Override
        protected MessageDigest initialValue() {
            return ApiKeys.sha256();
        }
    };

    private final List<ApiConsumer> consumers;
    /** First 8 bytes of each hash, sorted; {@code hashes} and {@code owners} in the same order. */
    private final long[] prefixes;
    private final byte[][] hashes;
    private final ApiConsumer[] owners;

    private ApiKeyStore(List<ApiConsumer> consumers, long[] prefixes, byte[][] hashes, ApiConsumer[] owners) {
        this.consumers = consumers;
        this.prefixes = prefixes;
        this.hashes = hashes;
        this.owners = owners;
    }

    public static ApiKeyStore empty() {
        return EMPTY;
    }

    /**
     * @throws IllegalArgumentException when two consumers share a name, or a hash belongs to two consumers (or twice
     *                                  to one): a key must name exactly one consumer
     */
    public static ApiKeyStore of(List<ApiConsumer> consumers) {
        if (consumers.isEmpty()) {
            return EMPTY;
        }
        Map<String, ApiConsumer> byName = new HashMap<>();
        Map<String, ApiConsumer> byHash = new HashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (ApiConsumer c : consumers) {
            if (byName.putIfAbsent(c.name(), c) != null) {
                throw new IllegalArgumentException("consumer " + c.name() + " is listed twice");
            }
            for (String hash : c.keys()) {
                ApiConsumer owner = byHash.putIfAbsent(hash, c);
                if (owner != null) {
                    throw new IllegalArgumentException(duplicate(hash, owner.name(), c.name()));
                }
                byte[] bytes = ApiKeys.parseHash(hash);
                entries.add(new Entry(prefix(bytes), bytes, c));
            }
        }
        entries.sort((a, b) -> Long.compare(a.prefix, b.prefix));
        long[] prefixes = new long[entries.size()];
        byte[][] hashes = new byte[entries.size()][];
        ApiConsumer[] owners = new ApiConsumer[entries.size()];
        for (int i = 0; i < prefixes.length; i++) {
            Entry e = entries.get(i);
            prefixes[i] = e.prefix;
            hashes[i] = e.hash;
            owners[i] = e.owner;
        }
        return new ApiKeyStore(List.copyOf(consumers), prefixes, hashes, owners);
    }

    static String duplicate(String hash, String first, String second) {
        return first.equals(second) ? hash + " is listed twice for consumer " + first
                : hash + " is a key of both " + first + " and " + second + "; a key must belong to one consumer";
    }

    private record Entry(long prefix, byte[] hash, ApiConsumer owner) {}

    /**
     * The consumer {@code presentedKey} belongs to, or null when it belongs to none (also for null, empty or
     * over-long input, which is not hashed).
     */
    public ApiConsumer lookup(String presentedKey) {
        if (presentedKey == null || presentedKey.isEmpty() || presentedKey.length() > ApiKeys.MAX_KEY_LENGTH
                || prefixes.length == 0) {
            return null;
        }
        byte[] digest = SHA256.get().digest(presentedKey.getBytes(StandardCharsets.UTF_8));
        long prefix = prefix(digest);
        int i = Arrays.binarySearch(prefixes, prefix);
        if (i < 0) {
            return null;
        }
        while (i > 0 && prefixes[i - 1] == prefix) {
            i--;
        }
        for (; i < prefixes.length && prefixes[i] == prefix; i++) {
            if (MessageDigest.isEqual(hashes[i], digest)) {
                return owners[i];
            }
        }
        return null;
    }

    /** This store: a fixed store is its own snapshot. */
    @Override
    public ApiKeyStore current() {
        return this;
    }

    public List<ApiConsumer> consumers() {
        return consumers;
    }

    /** The consumer called {@code name}, or null. */
    public ApiConsumer consumer(String name) {
        for (ApiConsumer c : consumers) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** This store with {@code consumer} added, or replacing the one of the same name in place (for the CLI). */
    public ApiKeyStore with(ApiConsumer consumer) {
        Map<String, ApiConsumer> byName = new LinkedHashMap<>();
        for (ApiConsumer c : consumers) {
            byName.put(c.name(), c);
        }
        byName.put(consumer.name(), consumer);
        return of(new ArrayList<>(byName.values()));
    }

    public boolean isEmpty() {
        return consumers.isEmpty();
    }

    /** Number of key hashes across all consumers. */
    public int keyCount() {
        return prefixes.length;
    }

    private static long prefix(byte[] hash) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (hash[i] & 0xff);
        }
        return v;
    }

    @Override
    public String toString() {
        return "ApiKeyStore[" + consumers.size() + " consumers, " + prefixes.length + " keys]";
    }
}
