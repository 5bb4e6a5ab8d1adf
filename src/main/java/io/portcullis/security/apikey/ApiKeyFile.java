package io.portcullis.security.apikey;

import io.portcullis.security.files.FileFormatException;
import io.portcullis.security.files.ReloadListener;
import io.portcullis.security.files.ReloadingFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * API key hashes kept in a YAML file ({@link ApiKeyYaml} describes the format) and reloaded when it changes, so
 * keys are added, rotated and revoked without a restart. The API-key filter reads {@link #current()};
 * {@link ReloadingFile} does the checking, and a broken change is refused with one WARN line naming file, line and
 * reason while the store in use stays. {@link #write} is what {@code portcullis keys add} saves with.
 */
public final class ApiKeyFile implements ApiKeySource, AutoCloseable {
    private static final String KIND = "api keys";

    private final ReloadingFile<ApiKeyStore> file;

    private ApiKeyFile(ReloadingFile<ApiKeyStore> file) {
        this.file = file;
    }

    /**
     * Loads the file now and keeps checking it.
     *
     * @param interval how often the file is read and its hash compared
     * @param executor runs the checks: a control thread, never a request event loop
     * @param watch    also check when the directory reports a change
     * @param listener told of reloads and refusals (metrics), on the executor
     * @throws FileFormatException the file cannot be read or is not a valid key file; nothing was started
     */
    public static ApiKeyFile start(Path file, Duration interval, ScheduledExecutorService executor, boolean watch,
            ReloadListener<? super ApiKeyStore> listener) throws FileFormatException {
        return new ApiKeyFile(ReloadingFile.start(KIND, file, ApiKeyYaml::read, interval, executor, watch,
                listener));
    }

    /** Reads the file once (config validation, the CLI). */
    public static ApiKeyStore read(Path file) throws FileFormatException {
        return ReloadingFile.read(file, ApiKeyYaml::read);
    }

    /** Parses key-file content; {@code file} only names it in errors. */
    public static ApiKeyStore parse(Path file, String content) throws FileFormatException {
        return ApiKeyYaml.read(file, content);
    }

    /**
     * Writes {@code store} to {@code file} atomically: a temporary file beside it, then a rename, so a gateway
     * watching the file never reads half of it. An existing file keeps its permissions; a symbolic link is
     * followed and its target replaced.
     */
    public static void write(Path file, ApiKeyStore store) throws IOException {
        Path target = Files.exists(file) ? file.toRealPath() : file.toAbsolutePath();
        Path directory = target.getParent();
        Path temporary = Files.createTempFile(directory, "." + target.getFileName(), ".tmp");
        try {
            Files.writeString(temporary, ApiKeyYaml.write(store), StandardCharsets.UTF_8);
            copyPermissions(target, temporary);
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** A temporary file is created owner-only; the file it replaces may have been readable by the gateway's user. */
    private static void copyPermissions(Path from, Path to) throws IOException {
        PosixFileAttributeView source = Files.getFileAttributeView(from, PosixFileAttributeView.class);
        PosixFileAttributeView target = Files.getFileAttributeView(to, PosixFileAttributeView.class);
        if (source == null || target == null) {
            return;
        }
        if (Files.exists(from)) {
            target.setPermissions(source.readAttributes().permissions());
        } else {
            // A new file: it holds no secret, and the gateway may run as another user.
            target.setPermissions(PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    @Override
    public ApiKeyStore current() {
        return file.current();
    }

    public Path file() {
        return file.file();
    }

    /** Checks the file now; completes with true when a new store was published. */
    public CompletableFuture<Boolean> checkNow() {
        return file.checkNow();
    }

    /** Stops checking; {@link #current()} keeps the last store. */
    @Override
    public void close() {
        file.close();
    }
}
