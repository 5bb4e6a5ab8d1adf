package io.portcullis.security.files;

import io.portcullis.files.FileWatcher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file parsed into an immutable value that is replaced, whole, when the file changes: the shared engine of
 * {@code IpListFile} and {@code ApiKeyFile}. The request path reads {@link #current()} (one volatile read) and keeps
 * what it got for the rest of the request; this class never mutates a published value.
 *
 * <p>The file is read and parsed in {@link #start}, so a broken file fails startup with a
 * {@link FileFormatException}. After that it is checked every {@code interval} and, optionally, when its directory
 * reports a change. A check compares the SHA-256 of the content with that of the content in use, so a rewrite that
 * keeps size and modification time is still seen, and a touch that changes nothing costs no parse. A change is
 * used only once two reads {@value #SETTLE_MILLIS} ms apart agree, so a writer that truncates and then writes (most
 * do, unless they rename a new file into place) is not caught halfway unless it stalls mid-write: a deny list that
 * is empty for a moment lets the denied in for that moment. A settled change that parses replaces the value; one
 * that does not is refused with one WARN line naming file, line and reason, the value in use stays, and the same
 * broken content is not tried (nor logged) again until it changes. An unreadable or vanished file counts as broken:
 * a rotation that deletes then recreates the file never empties a list.
 *
 * <p>Checks run on the executor passed in (it reads files: a control thread, never a request event loop); a lock
 * makes them one at a time, so a multi-threaded executor is fine too. The lock is never taken by {@link #current()}.
 *
 * @param <T> the parsed, immutable value
 */
public final class ReloadingFile<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadingFile.class);
    /** How long a changed content must stay the same before it is used. */
    static final long SETTLE_MILLIS = 100;

    /** Turns the whole content of the file into a value; throws naming the line of the first problem. */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(Path file, String content) throws FileFormatException;
    }

    private final String kind;
    private final Path file;
    private final Parser<? extends T> parser;
    private final ReloadListener<? super T> listener;
    private final ScheduledExecutorService executor;
    private final FileWatcher watch;
    /** Serializes checks against each other and against {@link #close()}. */
    private final Object lock = new Object();
    private volatile T current;
    /**
     * Hashes of the content {@code current} came from, of the last content refused, and of a change seen once and
     * waiting to be seen again (each null when none); under lock.
     */
    private byte[] applied;
    private byte[] refused;
    private byte[] pending;
    private boolean closed;
    private volatile Future<?> periodic;

    private ReloadingFile(String kind, Path file, Parser<? extends T> parser, ReloadListener<? super T> listener,
            ScheduledExecutorService executor, FileWatcher watch) {
        this.kind = kind;
        this.file = file;
        this.parser = parser;
        this.listener = listener;
        this.executor = executor;
        this.watch = watch;
    }

    /**
     * Reads and parses the file now, then keeps checking it.
     *
     * @param kind     what the file is, for log lines ({@code "ip list"}, {@code "api keys"})
     * @param file     the file; a relative path is resolved against the working directory on every read
     * @param parser   builds the value from the content
     * @param interval how often the file is checked even without a file-system event
     * @param executor runs the checks: a control thread, never a request event loop
     * @param watch    also check when the directory reports a change (one inotify instance per file on Linux)
     * @param listener told of each reload and refusal, after the log line
     * @throws FileFormatException the file cannot be read or parsed; nothing was started
     */
    public static <T> ReloadingFile<T> start(String kind, Path file, Parser<? extends T> parser, Duration interval,
            ScheduledExecutorService executor, boolean watch, ReloadListener<? super T> listener)
            throws FileFormatException {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(parser, "parser");
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(listener, "listener");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be > 0, was " + interval);
        }
        // Watch before reading: a change in between then raises an event and is compared, not missed.
        FileWatcher fileWatch = watch ? FileWatcher.register(kind, List.of(file)) : FileWatcher.none();
        ReloadingFile<T> reloading = new ReloadingFile<>(kind, file, parser, listener, executor, fileWatch);
        try {
            reloading.load();
        } catch (FileFormatException | RuntimeException e) {
            fileWatch.close();
            throw e;
        }
        fileWatch.start(() -> executor.execute(reloading::checkLogged));
        long every = interval.toNanos();
        reloading.periodic = executor.scheduleWithFixedDelay(reloading::checkLogged, every, every,
                TimeUnit.NANOSECONDS);
        LOG.info("{} {}: loaded {}, checked every {} ms{}", kind, file, reloading.current, interval.toMillis(),
                fileWatch.watching() ? " and on change" : "");
        return reloading;
    }

    /** Reads and parses the file once, without watching it: for {@code validate} and the CLI. */
    public static <T> T read(Path file, Parser<? extends T> parser) throws FileFormatException {
        byte[] content = readBytes(file);
        return parser.parse(file, text(content));
    }

    /** The value of the file as last accepted; a volatile read, cheap enough for every request. */
    public T current() {
        return current;
    }

    public Path file() {
        return file;
    }

    /**
     * Checks the file now (admin endpoint, tests) on the executor, using a change at once rather than after it
     * settles: whoever asks has finished writing. Completes with true when a new value was published, false when
     * nothing changed or the change was refused.
     */
    public CompletableFuture<Boolean> checkNow() {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    done.complete(check(false));
                } catch (RuntimeException | Error e) {
                    done.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    /** Stops checking; {@link #current()} keeps answering with the last value, and no listener call follows. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
        Future<?> task = periodic;
        if (task != null) {
            task.cancel(false);
        }
        watch.close();
    }

    private void load() throws FileFormatException {
        byte[] content = readBytes(file);
        T value = Objects.requireNonNull(parser.parse(file, text(content)),
                "the parser returned null");
        synchronized (lock) {
            current = value;
            applied = sha256(content);
        }
    }

    /** The periodic and file-event entry: a scheduled task keeps its exception to itself, so it is logged here. */
    private void checkLogged() {
        try {
            check(true);
        } catch (RuntimeException | AssertionError e) {
            LOG.error("{} {}: check failed", kind, file, e);
        }
    }

    /** @param settle use a change only when the previous check saw the same content */
    private boolean check(boolean settle) {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            byte[] content;
            byte[] hash;
            FileFormatException problem = null;
            try {
                content = readBytes(file);
                hash = sha256(content);
            } catch (FileFormatException e) {
                content = null;
                hash = sha256(e.getMessage().getBytes(StandardCharsets.UTF_8));
                problem = e;
            }
            if (Arrays.equals(hash, applied)) {
                pending = null;
                if (refused != null) {
                    refused = null;
                    LOG.info("{} {}: back to the content in use", kind, file);
                }
                return false;
            }
            if (Arrays.equals(hash, refused)) {
                pending = null;
                return false;
            }
            if (settle && !Arrays.equals(hash, pending)) {
                pending = hash;
                settleThenCheck();
                return false;
            }
            pending = null;
            T value = null;
            if (problem == null) {
                try {
                    value = Objects.requireNonNull(parser.parse(file, text(content)),
                            "the parser returned null");
                } catch (FileFormatException e) {
                    problem = e;
                }
            }
            if (problem != null) {
                refused = hash;
                LOG.warn("{} {}{}: change refused, keeping the one in use: {}", kind, file,
                        problem.line() > 0 ? ":" + problem.line() : "", problem.reason());
                listener.refused(file, problem);
                return false;
            }
            current = value;
            applied = hash;
            refused = null;
            LOG.info("{} {}: reloaded, now {}", kind, file, value);
            listener.reloaded(file, value);
            return true;
        }
    }

    private void settleThenCheck() {
        try {
            executor.schedule(this::checkLogged, SETTLE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("{} {}: executor shutting down, change not checked again", kind, file);
        }
    }

    /** UTF-8, without the byte-order mark some Windows editors write (it would make line 1 unreadable). */
    private static String text(byte[] content) {
        String text = new String(content, StandardCharsets.UTF_8);
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private static byte[] readBytes(Path file) throws FileFormatException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new FileFormatException(file, 0, "cannot read (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
    }

    private static byte[] sha256(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
