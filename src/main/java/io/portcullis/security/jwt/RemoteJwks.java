package io.portcullis.security.jwt;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys of a JWKS URL, kept fresh off the request path: fetched at {@link #start()}, every refresh interval, and
 * when a token names an unknown {@code kid}. The current set is read lock-free by every event loop; a fetch that
 * fails or returns garbage leaves the last good set in place, since refusing every token because the identity
 * provider blinked would turn its outage into ours.
 *
 * <p>Unknown-kid refetches are what an attacker controls, so they are bounded: at most one fetch in flight (callers
 * arriving meanwhile share it), and none sooner than the minimum refetch interval after the previous fetch started
 * (callers then get the current set at once, which says "unknown key"). Fetches use the JDK {@link HttpClient}
 * asynchronously; the scheduler passed in only starts them, so it is never blocked.
 *
 * <p>Logging: one WARN per streak of failures, one INFO when a fetch succeeds again, and one INFO whenever the set
 * of key ids changes. The counters are for the metrics registry.
 */
public final class RemoteJwks implements KeySource, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RemoteJwks.class);

    private final URI uri;
    private final JwksFetcher fetcher;
    private final HttpClient ownedClient;
    private final ScheduledExecutorService scheduler;
    private final long refreshNanos;
    private final long minRefetchNanos;
    private final LongSupplier nanoClock;

    private final AtomicReference<KeySet> current = new AtomicReference<>(KeySet.EMPTY);
    private final AtomicReference<CompletableFuture<KeySet>> inFlight = new AtomicReference<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicLong failureStreak = new AtomicLong();
    private final LongAdder fetchesOk = new LongAdder();
    private final LongAdder fetchesFailed = new LongAdder();
    private final LongAdder refetchesRefused = new LongAdder();
    /** Written only by the fetch that won the in-flight slot. */
    private volatile long lastFetchStart;
    private volatile boolean closed;
    private volatile ScheduledFuture<?> refreshTask;

    RemoteJwks(RemoteJwksBuilder b) {
        this.uri = b.uri;
        this.ownedClient = b.httpClient == null
                ? HttpClient.newBuilder().connectTimeout(b.fetchTimeout)
                        .followRedirects(HttpClient.Redirect.NORMAL).build()
                : null;
        this.fetcher = new JwksFetcher(b.httpClient == null ? ownedClient : b.httpClient, b.uri, b.fetchTimeout,
                b.maxBodyBytes);
        this.scheduler = b.scheduler;
        this.refreshNanos = b.refreshInterval.toNanos();
        this.minRefetchNanos = b.minRefetchInterval.toNanos();
        this.nanoClock = b.nanoClock;
    }

    public static RemoteJwksBuilder builder(URI uri, ScheduledExecutorService scheduler) {
        return new RemoteJwksBuilder(uri, scheduler);
    }

    /** Starts the first fetch and the periodic refresh; once only. */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("JWKS " + uri + " already started");
        }
        startFetch(false);
        refreshTask = scheduler.scheduleWithFixedDelay(this::refresh, refreshNanos, refreshNanos,
                TimeUnit.NANOSECONDS);
    }

    /**
     * Completes when a first key set has been loaded, which may be long after {@link #start()} if the URL is down
     * (it never completes exceptionally but on {@link #close()}), so bound the wait with {@code orTimeout}.
     */
    public CompletableFuture<Void> ready() {
        return ready.copy();
    }

    @Override
    public KeySet current() {
        return current.get();
    }

    @Override
    public CompletionStage<KeySet> refetch(String kid) {
        CompletableFuture<KeySet> fetch = startFetch(true);
        if (fetch == null) {
            refetchesRefused.increment();
            return CompletableFuture.completedFuture(current.get());
        }
        return fetch.copy(); // a caller cancelling its copy must not cancel the fetch the others wait on
    }

    public long fetchesSucceeded() {
        return fetchesOk.sum();
    }

    public long fetchesFailed() {
        return fetchesFailed.sum();
    }

    /** Unknown-kid refetches refused by the rate limit (or before start / after close). */
    public long refetchesRefused() {
        return refetchesRefused.sum();
    }

    /** Stops the refresh; a fetch in flight still lands. Closes the HTTP client when this instance made it. */
    @Override
    public void close() {
        closed = true;
        ScheduledFuture<?> task = refreshTask;
        if (task != null) {
            task.cancel(false);
        }
        ready.cancel(false);
        if (ownedClient != null) {
            ownedClient.shutdownNow();
        }
    }

    private void refresh() {
        try {
            startFetch(false);
        } catch (RuntimeException e) { // an exception would silently end the periodic task
            log.warn("JWKS {}: refresh could not start: {}", uri, e.toString());
        }
    }

    /** The fetch in flight, or a new one; null when the rate limit refuses, before start or after close. */
    private CompletableFuture<KeySet> startFetch(boolean rateLimited) {
        while (true) {
            CompletableFuture<KeySet> running = inFlight.get();
            if (running != null && !running.isDone()) {
                return running;
            }
            long now = nanoClock.getAsLong();
            if (closed || !started.get() || (rateLimited && now - lastFetchStart < minRefetchNanos)) {
                return null;
            }
            CompletableFuture<KeySet> mine = new CompletableFuture<>();
            if (inFlight.compareAndSet(running, mine)) {
                lastFetchStart = now;
                fetcher.fetch().whenComplete((keys, error) -> {
                    KeySet result = error == null ? accept(keys) : keepLastGood(error);
                    // Cleared before anyone is woken, so a woken caller that refetches never joins this fetch.
                    inFlight.compareAndSet(mine, null);
                    if (error == null) {
                        ready.complete(null);
                    }
                    mine.complete(result);
                });
                return mine;
            }
        }
    }

    private KeySet accept(KeySet keys) {
        KeySet previous = current.getAndSet(keys);
        fetchesOk.increment();
        long failures = failureStreak.getAndSet(0);
        if (failures > 0) {
            log.info("JWKS {}: fetch recovered after {} failure(s)", uri, failures);
        }
        List<String> ids = keys.keyIds();
        if (!ids.equals(previous.keyIds())) {
            log.info("JWKS {}: {} key(s) {}", uri, keys.size(), ids);
        }
        return keys;
    }

    private KeySet keepLastGood(Throwable error) {
        fetchesFailed.increment();
        KeySet kept = current.get();
        if (failureStreak.getAndIncrement() == 0 && !closed) {
            log.warn("JWKS {}: fetch failed, keeping the last good set ({} key(s)): {}", uri, kept.size(),
                    describe(error));
        }
        return kept;
    }

    private static String describe(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
