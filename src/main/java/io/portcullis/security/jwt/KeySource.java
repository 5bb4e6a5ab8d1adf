package io.portcullis.security.jwt;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where a {@link JwtVerifier} gets its keys: a fixed set (a local JWKS or PEM file, see {@link #fromFile}) or a
 * remote JWKS that changes over time ({@link RemoteJwks}). Called on event loops, so both methods must return at
 * once.
 */
@FunctionalInterface
public interface KeySource {

    /** The keys in force now; never null, possibly {@link KeySet#EMPTY} before a first fetch landed. */
    KeySet current();

    /**
     * Asked when a token names a {@code kid} that {@link #current()} lacks: a stage with the set to retry with. A
     * source that can fetch may complete it later, on a thread of its own; one that will not (fixed keys, rate limit)
     * returns an already-completed stage holding the current set.
     */
    default CompletionStage<KeySet> refetch(String kid) {
        return CompletableFuture.completedFuture(current());
    }

    /** A source that always answers {@code keys}. */
    static KeySource of(KeySet keys) {
        Objects.requireNonNull(keys, "keys");
        return () -> keys;
    }

    /**
     * The keys of a local file, read now (so call it off the event loops, when the configuration is built): a JWKS
     * or single JWK as JSON, or PEM blocks ({@code PUBLIC KEY} or {@code CERTIFICATE}). Keys from PEM have no kid
     * and so fit any kid (see {@link KeySet}).
     *
     * @throws IOException naming the file and what is wrong with it
     */
    static KeySource fromFile(Path file) throws IOException {
        return of(KeyFiles.read(file));
    }
}
