package io.portcullis.security.jwt;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.List;
import java.util.Map;

/**
 * Reads a local key file for {@link KeySource#fromFile}: JSON (a JWKS or one JWK) or PEM, told apart by the first
 * character. Runs once at configuration time; every failure is an {@link IOException} that names the file, since the
 * operator reads it in a failed startup or reload.
 */
final class KeyFiles {
    private KeyFiles() {
    }

    static KeySet read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw fail(file, "no such file");
        } catch (IOException e) {
            throw new IOException("keys file " + file + ": cannot read: " + e.getMessage(), e);
        }
        String body = text.strip();
        KeySet keys;
        if (body.startsWith("{")) {
            keys = KeySet.of(parseJson(file, body));
        } else if (body.contains("-----BEGIN ")) {
            keys = KeySet.of(PemKeys.parse(file, body));
        } else {
            throw fail(file, "neither JSON (a JWKS or JWK) nor PEM");
        }
        if (keys.size() == 0) {
            throw fail(file, "no usable signature-verification key (" + keys.skipped() + " skipped)");
        }
        return keys;
    }

    private static List<JWK> parseJson(Path file, String json) throws IOException {
        try {
            Map<String, Object> object = JSONObjectUtils.parse(json);
            return object.containsKey("keys") ? JWKSet.parse(object).getKeys() : List.of(JWK.parse(object));
        } catch (ParseException e) {
            throw fail(file, "invalid JWKS: " + e.getMessage());
        }
    }

    static IOException fail(Path file, String reason) {
        return new IOException("keys file " + file + ": " + reason);
    }
}
