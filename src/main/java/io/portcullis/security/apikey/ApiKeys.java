package io.portcullis.security.apikey;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The key and hash formats, shared by the store, the key file and {@code portcullis keys}. A key is
 * {@value #PREFIX} and 32 random bytes in unpadded base64url (46 characters): the prefix lets secret scanners and
 * people recognise a leaked one, 256 bits make guessing hopeless, so a plain unsalted SHA-256 is a safe thing to
 * store (salts and slow hashes protect low-entropy passwords, which these are not). A hash is written
 * {@code sha256:<64 hex>}, the algorithm named so that another can be added later without guessing.
 */
public final class ApiKeys {
    public static final String PREFIX = "pk_";
    public static final String HASH_PREFIX = "sha256:";
    /** Longer presented keys are not hashed: no real key is, and hashing costs the gateway, not the sender. */
    static final int MAX_KEY_LENGTH = 1024;
    private static final int KEY_BYTES = 32;
    private static final HexFormat HEX = HexFormat.of();

    private ApiKeys() {}

    /** A new key from {@code random}; the gateway's is a {@link SecureRandom}, tests pass a seeded one. */
    public static String generate(SecureRandom random) {
        byte[] bytes = new byte[KEY_BYTES];
        random.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * {@code sha256:<hex>} of the key's UTF-8 bytes: what goes into config or the key file.
     *
     * @throws IllegalArgumentException for an empty key or one longer than {@value #MAX_KEY_LENGTH} characters
     */
    public static String hash(String key) {
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("an API key has 1 to " + MAX_KEY_LENGTH + " characters, was "
                    + key.length());
        }
        return HASH_PREFIX + HEX.formatHex(digest(key));
    }

    /**
     * The 32 bytes of a {@code sha256:<64 hex>} hash (hex in either case).
     *
     * @throws IllegalArgumentException naming the value when it is not one
     */
    public static byte[] parseHash(String text) {
        if (text == null || text.length() != HASH_PREFIX.length() + 64 || !text.startsWith(HASH_PREFIX)) {
            throw new IllegalArgumentException(describe(text) + " is not a key hash: expected sha256: followed by"
                    + " 64 hex digits (portcullis keys hash prints one)");
        }
        try {
            return HEX.parseHex(text, HASH_PREFIX.length(), text.length());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe(text) + " is not a key hash: not hex after sha256:", e);
        }
    }

    /** The canonical (lower-case) form of a valid hash. */
    static String canonical(String hash) {
        return HASH_PREFIX + HEX.formatHex(parseHash(hash));
    }

    static byte[] digest(String key) {
        return sha256().digest(key.getBytes(StandardCharsets.UTF_8));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** A value shown in an error: a long one is cut, since a pasted key must not end up whole in a log. */
    private static String describe(String text) {
        if (text == null) {
            return "null";
        }
        return "\"" + (text.length() > 80 ? text.substring(0, 20) + "…" : text) + "\"";
    }
}
