package io.portcullis.security.ip;

import io.portcullis.security.files.FileFormatException;
import io.portcullis.security.files.ReloadListener;
import io.portcullis.security.files.ReloadingFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * An IP list kept in a file and reloaded when the file changes: one block per line ({@code 10.0.0.0/8},
 * {@code 2001:db8::/32}, a bare address), blank lines and {@code #} comments (whole-line or trailing) allowed.
 * The IP filter reads {@link #current()}; {@link ReloadingFile} does the checking, and a broken change is refused
 * with one WARN line naming file, line and reason while the set in use stays.
 *
 * <p>Used as the allow list of an {@link IpAccessList}, an empty file allows nobody (see there).
 */
public final class IpListFile implements IpMatcher, AutoCloseable {
    private static final String KIND = "ip list";

    private final ReloadingFile<IpSet> file;

    private IpListFile(ReloadingFile<IpSet> file) {
        this.file = file;
    }

    /**
     * Loads the file now and keeps checking it.
     *
     * @param interval how often the file is read and its hash compared
     * @param executor runs the checks: a control thread, never a request event loop
     * @param watch    also check when the directory reports a change
     * @param listener told of reloads and refusals (metrics), on the executor
     * @throws FileFormatException the file cannot be read, or a line is not a block; nothing was started
     */
    public static IpListFile start(Path file, Duration interval, ScheduledExecutorService executor, boolean watch,
            ReloadListener<? super IpSet> listener) throws FileFormatException {
        return new IpListFile(ReloadingFile.start(KIND, file, IpListFile::parse, interval, executor, watch,
                listener));
    }

    /** Reads the file once (config validation). */
    public static IpSet read(Path file) throws FileFormatException {
        return ReloadingFile.read(file, IpListFile::parse);
    }

    /** Parses list-file content; {@code file} only names it in errors. */
    public static IpSet parse(Path file, String content) throws FileFormatException {
        List<Cidr> blocks = new ArrayList<>();
        int lineNumber = 0;
        for (String line : content.split("\n", -1)) {
            lineNumber++;
            int hash = line.indexOf('#');
            String text = (hash < 0 ? line : line.substring(0, hash)).strip();
            if (text.isEmpty()) {
                continue;
            }
            try {
                blocks.add(Cidr.parse(text));
            } catch (IllegalArgumentException e) {
                throw new FileFormatException(file, lineNumber, e.getMessage());
            }
        }
        return IpSet.of(blocks);
    }

    @Override
    public IpSet current() {
        return file.current();
    }

    public Path file() {
        return file.file();
    }

    /** Checks the file now; completes with true when a new set was published. */
    public CompletableFuture<Boolean> checkNow() {
        return file.checkNow();
    }

    /** Stops checking; {@link #current()} keeps the last set. */
    @Override
    public void close() {
        file.close();
    }
}
