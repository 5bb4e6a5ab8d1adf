package io.portcullis.tls;

import io.portcullis.files.FileWatcher;
import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;
import io.netty.util.concurrent.EventExecutor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Certificate rotation without a restart, for one listener. Sits beside the request path, not on it: the listener's
 * {@code SniHandler} reads {@link #current()} once per new connection (through {@link #mapping()}), and this class
 * replaces what it returns when the certificate, key or CA files change. Connections already open keep the engine,
 * and so the context, they were created with.
 *
 * <p>A change is noticed two ways: file-system events on the files' directories ({@link FileWatcher}: one thread that
 * lets a burst settle for {@value FileWatcher#DEBOUNCE_MILLIS} ms, since a key and its certificate are written one
 * after the other, then hands a check to the executor), and a check every {@code interval} for file systems that send
 * no events. A check compares each file's {@link FileFingerprint} (size, modification time, SHA-256) with those of
 * the files in use, so a rewrite within the same second is seen, and so is a Kubernetes secret mount swapping its
 * {@code ..data} link. On a change it rebuilds the contexts; a file that cannot be used is refused with one WARN
 * line naming it, the contexts in use stay, and the same refused files are not tried again until they change.
 *
 * <p><b>Ownership.</b> The caller owns {@code initial} and, after {@link #close()}, whatever {@link #current()}
 * returns: it closes that one. Contexts a reload replaces are closed by the reloader {@value #RETIRE_SECONDS} s after
 * the swap, not at once, because an event loop may have read the old contexts an instant before the swap and not yet
 * created its engine; OpenSSL engines hold their own reference to their context, so connections open at that point
 * keep working until they close. {@link #close()} closes the replaced contexts still waiting at once.
 *
 * <p>Checks run only on the executor, which must be single-threaded (the gateway's control event loop; assertions
 * check an event loop under {@code -ea}); never a request loop, since a check reads files and builds contexts.
 */
public final class CertificateReloader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateReloader.class);
    static final long RETIRE_SECONDS = 10;

    /** Builds the listener's contexts from the files as they are now; throws when a file is unusable. */
    @FunctionalInterface
    public interface Builder {
        SniContexts build() throws TlsConfigException;
    }

    private final String name;
    private final List<Path> files;
    private final Builder builder;
    private final ScheduledExecutorService executor;
    private final Consumer<SniContexts> onChange;
    private final Duration retireDelay;
    /** Guards the swap against {@link #close()}, so no reload is published, nor callback made, after it returns. */
    private final Object lock = new Object();
    /** Replaced contexts not yet closed; guarded by {@code lock}. */
    private final List<SniContexts> retired = new ArrayList<>();
    private volatile SniContexts current;
    private volatile boolean closed;
    /** The files {@code current} was built from, and the last files refused (or null); confined to the executor. */
    private List<FileFingerprint> applied;
    private List<FileFingerprint> refused;
    private final FileWatcher watcher;
    private volatile Future<?> periodic;

    private CertificateReloader(String name, List<Path> files, List<FileFingerprint> applied, FileWatcher watcher,
            SniContexts initial, Builder builder, ScheduledExecutorService executor, Consumer<SniContexts> onChange,
            Duration retireDelay) {
        this.name = name;
        this.files = files;
        this.applied = applied;
        this.watcher = watcher;
        this.current = initial;
        this.builder = builder;
        this.executor = executor;
        this.onChange = onChange;
        this.retireDelay = retireDelay;
    }

    /**
     * Starts watching. The files are fingerprinted now, so {@code initial} should have been built from them just
     * before; a change in between is seen only when the files change again.
     *
     * @param name     the listener's name, for log lines
     * @param files    every certificate, key and CA file the contexts are built from
     * @param interval how often the files are checked even without a file-system event
     * @param initial  the contexts built at start (already in use; still owned by the caller)
     * @param builder  rebuilds from the files
     * @param executor runs checks and rebuilds: the gateway's control event loop, never a request loop
     * @param onChange receives each new SniContexts after a successful rebuild, on the executor (the caller swaps
     *                 it in and updates metrics); never called once {@link #close()} has returned
     */
    public static CertificateReloader start(String name, List<Path> files, Duration interval, SniContexts initial,
            Builder builder, ScheduledExecutorService executor, Consumer<SniContexts> onChange) {
        return start(name, files, interval, initial, builder, executor, onChange, true,
                Duration.ofSeconds(RETIRE_SECONDS));
    }

    /** As the public {@code start}; tests turn the watcher off to show the periodic check alone, and the delay down. */
    static CertificateReloader start(String name, List<Path> files, Duration interval, SniContexts initial,
            Builder builder, ScheduledExecutorService executor, Consumer<SniContexts> onChange, boolean watchFiles,
            Duration retireDelay) {
        Objects.requireNonNull(name, "name");
        if (files.isEmpty()) {
            throw new IllegalArgumentException("files must not be empty");
        }
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be > 0, was " + interval);
        }
        List<Path> watched = List.copyOf(files);
        // Watch before fingerprinting: a change in between then raises an event and is compared, not missed.
        FileWatcher watcher = watchFiles ? FileWatcher.register(name, watched) : FileWatcher.none();
        CertificateReloader reloader = new CertificateReloader(name, watched, FileFingerprint.of(watched), watcher,
                Objects.requireNonNull(initial, "initial"), Objects.requireNonNull(builder, "builder"),
                Objects.requireNonNull(executor, "executor"), Objects.requireNonNull(onChange, "onChange"),
                Objects.requireNonNull(retireDelay, "retireDelay"));
        watcher.start(() -> executor.execute(reloader::checkLogged));
        long every = interval.toNanos();
        reloader.periodic = executor.scheduleWithFixedDelay(reloader::checkLogged, every, every, TimeUnit.NANOSECONDS);
        LOG.info("listener {}: certificate files checked every {} ms{}: {}", name, interval.toMillis(),
                watcher.watching() ? " and on change" : "", watched);
        return reloader;
    }

    /** The contexts new connections should use; a volatile read, cheap enough for every ClientHello. */
    public SniContexts current() {
        return current;
    }

    /** {@code SniContexts.select} on what is current when each ClientHello arrives, for Netty's {@code SniHandler}. */
    public Mapping<String, SslContext> mapping() {
        return hostname -> current.select(hostname);
    }

    /**
     * Checks the files now (admin endpoint, tests). Runs on the executor and returns at once; the future completes
     * with true when new contexts were swapped in. Called on the executor's event loop, it checks inline.
     */
    public CompletableFuture<Boolean> checkNow() {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        Runnable task = () -> {
            try {
                done.complete(check());
            } catch (RuntimeException | Error e) {
                done.completeExceptionally(e);
            }
        };
        if (executor instanceof EventExecutor loop && loop.inEventLoop()) {
            task.run();
        } else {
            try {
                executor.execute(task);
            } catch (RejectedExecutionException e) {
                done.completeExceptionally(e);
            }
        }
        return done;
    }

    /**
     * Stops watching and checking, and closes the replaced contexts still waiting to be. Does not close
     * {@link #current()}: the caller does, once its listener stops accepting.
     */
    @Override
    public void close() {
        List<SniContexts> waiting;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            waiting = List.copyOf(retired);
            retired.clear();
        }
        if (periodic != null) {
            periodic.cancel(false);
        }
        watcher.close();
        waiting.forEach(SniContexts::close);
    }

    /**
     * The periodic and file-event entry: a failure is logged, since a scheduled task keeps its exception to itself,
     * and the fixed-delay schedule goes on.
     */
    private void checkLogged() {
        try {
            check();
        } catch (RuntimeException | AssertionError e) {
            LOG.error("listener {}: certificate check failed", name, e);
        }
    }

    /** Returns true when new contexts were published. */
    private boolean check() {
        assert !(executor instanceof EventExecutor loop) || loop.inEventLoop() : "check off the reloader's executor";
        if (closed) {
            return false;
        }
        List<FileFingerprint> seen = FileFingerprint.of(files);
        if (seen.equals(applied)) {
            if (refused != null) {
                refused = null;
                LOG.info("listener {}: certificate files are back to the ones in use", name);
            }
            return false;
        }
        if (seen.equals(refused)) {
            return false;
        }
        SniContexts next;
        try {
            next = Objects.requireNonNull(builder.build(), "the builder returned null");
        } catch (TlsConfigException e) {
            return refuse(seen, e.getMessage());
        } catch (RuntimeException e) {
            return refuse(seen, e.toString());
        }
        synchronized (lock) {
            if (closed) {
                next.close();
                return false;
            }
            SniContexts previous = current;
            current = next;
            retired.add(previous);
            try {
                onChange.accept(next);
            } catch (RuntimeException e) {
                // The reload stands: current() already serves it. A throwing callback is a bug in the caller.
                LOG.error("listener {}: onChange failed after a certificate reload", name, e);
            }
            try {
                executor.schedule(() -> closeRetired(previous), retireDelay.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                LOG.debug("listener {}: executor shutting down; close() closes the replaced contexts", name);
            }
        }
        List<Path> changed = changed(applied, seen);
        applied = seen;
        refused = null;
        LOG.info("listener {}: certificates reloaded (files {} changed; not after {})", name, changed,
                next.bundles().stream().map(b -> b.certificateFile() + " " + b.notAfter()).toList());
        return true;
    }

    private boolean refuse(List<FileFingerprint> seen, String reason) {
        refused = seen;
        LOG.warn("listener {}: new certificates refused, keeping the ones in use: {}", name, reason);
        return false;
    }

    private void closeRetired(SniContexts previous) {
        synchronized (lock) {
            if (!retired.remove(previous)) {
                return; // close() got there first
            }
        }
        previous.close();
    }

    private List<Path> changed(List<FileFingerprint> before, List<FileFingerprint> after) {
        List<Path> changed = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            if (!before.get(i).equals(after.get(i))) {
                changed.add(files.get(i));
            }
        }
        return changed;
    }
}
