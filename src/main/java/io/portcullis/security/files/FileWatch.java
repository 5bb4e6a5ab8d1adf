package io.portcullis.security.files;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file-event half of {@link ReloadingFile}: a {@link WatchService} on the file's directory and one virtual
 * thread that waits for an event, lets a burst settle, then calls back once. Which file an event names is ignored:
 * the callback only asks for a check, which compares content hashes, so an event for a neighbour costs one read and
 * a Kubernetes mount that swaps its {@code ..data} link is still seen.
 *
 * <p>Each watch is one inotify instance on Linux (128 per user by default), which is why watching is optional and
 * the periodic check alone is always enough.
 */
final class FileWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadingFile.class);
    /** A writer that truncates then writes raises several events; one check should see the end result. */
    static final long DEBOUNCE_MILLIS = 100;
    /** A file rewritten in a loop is still checked at least this often. */
    private static final long MAX_DEBOUNCE_MILLIS = 2_000;
    private static final FileWatch NONE = new FileWatch(null, null);

    private final Path file;
    private final WatchService service;

    private FileWatch(Path file, WatchService service) {
        this.file = file;
        this.service = service;
    }

    static FileWatch none() {
        return NONE;
    }

    /** Registers the file's directory; events from now on are kept until {@link #start}. */
    static FileWatch register(Path file) {
        Path directory = file.toAbsolutePath().normalize().getParent();
        if (directory == null) {
            return NONE;
        }
        WatchService service = null;
        try {
            service = FileSystems.getDefault().newWatchService();
            directory.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
            return new FileWatch(file, service);
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: no file watching ({}); checked periodically only", file, e.toString());
            closeQuietly(file, service);
            return NONE;
        }
    }

    boolean watching() {
        return service != null;
    }

    /** Starts the watching thread; {@code onChange} runs on it once per settled burst and must not block. */
    void start(Runnable onChange) {
        if (service != null) {
            Thread.ofVirtual().name("portcullis-file-watch-" + file.getFileName()).start(() -> watch(onChange));
        }
    }

    private void watch(Runnable onChange) {
        try {
            while (true) {
                WatchKey key = service.take();
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_DEBOUNCE_MILLIS);
                do {
                    settle(key);
                } while (System.nanoTime() < deadline
                        && (key = service.poll(DEBOUNCE_MILLIS, TimeUnit.MILLISECONDS)) != null);
                onChange.run();
            }
        } catch (ClosedWatchServiceException | RejectedExecutionException e) {
            // close(), or the executor shutting down under the callback: either way nothing is left to do.
            LOG.debug("{}: file watch stopped ({})", file, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void settle(WatchKey key) {
        key.pollEvents();
        if (!key.reset()) {
            LOG.warn("{}: its directory can no longer be watched; checked periodically only", file);
        }
    }

    /** Ends the watching thread (its {@code take()} throws). */
    @Override
    public void close() {
        closeQuietly(file, service);
    }

    private static void closeQuietly(Path file, WatchService service) {
        if (service == null) {
            return;
        }
        try {
            service.close();
        } catch (IOException e) {
            LOG.warn("{}: cannot close the file watch: {}", file, e.toString());
        }
    }
}
