package io.portcullis.files;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file-event half of a reloader (certificates, IP lists, API keys): a {@link WatchService} on the directories of
 * the watched files and one virtual thread that waits for events, lets a burst settle, then calls back once. It does
 * nothing else; the callback hands a check to the reloader's executor, which compares content, so which file an
 * event names does not matter (a Kubernetes secret mount changes only its {@code ..data} link).
 *
 * <p>A directory that cannot be watched is logged and left to the periodic check.
 */
public final class FileWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FileWatcher.class);
    /** Editors and certbot write a key and its certificate one after the other; one check should see both. */
    static final long DEBOUNCE_MILLIS = 150;
    /** A burst longer than this is checked anyway, so a file rewritten in a loop is still seen. */
    private static final long MAX_DEBOUNCE_MILLIS = 2_000;
    private static final FileWatcher NONE = new FileWatcher("", null);

    private final String name;
    private final WatchService service;

    private FileWatcher(String name, WatchService service) {
        this.name = name;
        this.service = service;
    }

    /** Watches nothing: the files are only checked periodically. */
    public static FileWatcher none() {
        return NONE;
    }

    /**
     * Registers every parent directory once; events from now on are kept until {@link #start}. {@code name} says
     * whose files they are, for log lines.
     */
    public static FileWatcher register(String name, List<Path> files) {
        Set<Path> directories = new LinkedHashSet<>();
        for (Path file : files) {
            Path parent = file.toAbsolutePath().normalize().getParent();
            if (parent != null) {
                directories.add(parent);
            }
        }
        WatchService service;
        try {
            service = FileSystems.getDefault().newWatchService();
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warn("listener {}: no file watching ({}); certificate files are checked periodically only", name,
                    e.toString());
            return NONE;
        }
        for (Path directory : directories) {
            try {
                directory.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
            } catch (IOException | RuntimeException e) {
                LOG.warn("listener {}: cannot watch {} ({}); its files are checked periodically only", name,
                        directory, e.toString());
            }
        }
        return new FileWatcher(name, service);
    }

    public boolean watching() {
        return service != null;
    }

    /** Starts the watching thread; {@code onChange} runs on it, once per settled burst, and must not block. */
    public void start(Runnable onChange) {
        if (service != null) {
            Thread.ofVirtual().name("portcullis-cert-watch-" + name).start(() -> watch(onChange));
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
            // close(), or the executor shutting down under the callback: either way the reloader is done.
            LOG.debug("listener {}: certificate file watcher stopped ({})", name, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void settle(WatchKey key) {
        key.pollEvents();
        if (!key.reset()) {
            LOG.warn("listener {}: {} can no longer be watched; its files are checked periodically only", name,
                    key.watchable());
        }
    }

    /** Ends the watching thread (its {@code take()} throws). */
    @Override
    public void close() {
        if (service == null) {
            return;
        }
        try {
            service.close();
        } catch (IOException e) {
            LOG.warn("listener {}: cannot close the certificate file watcher: {}", name, e.toString());
        }
    }
}
