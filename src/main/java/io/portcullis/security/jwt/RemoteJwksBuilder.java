package io.portcullis.security.jwt;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;

/** Settings of a {@link RemoteJwks}, validated in {@link #build()} with messages naming the field. */
public final class RemoteJwksBuilder {
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMinutes(5);
    public static final Duration DEFAULT_MIN_REFETCH_INTERVAL = Duration.ofSeconds(30);
    public static final Duration DEFAULT_FETCH_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_MAX_BODY_BYTES = 512 * 1024;

    final URI uri;
    final ScheduledExecutorService scheduler;
    Duration refreshInterval = DEFAULT_REFRESH_INTERVAL;
    Duration minRefetchInterval = DEFAULT_MIN_REFETCH_INTERVAL;
    Duration fetchTimeout = DEFAULT_FETCH_TIMEOUT;
    int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    HttpClient httpClient;
    LongSupplier nanoClock = System::nanoTime;

    RemoteJwksBuilder(URI uri, ScheduledExecutorService scheduler) {
        this.uri = Objects.requireNonNull(uri, "uri");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    public RemoteJwksBuilder refreshInterval(Duration interval) {
        this.refreshInterval = Objects.requireNonNull(interval, "refreshInterval");
        return this;
    }

    /** The least time between the start of one fetch and an unknown-kid refetch. */
    public RemoteJwksBuilder minRefetchInterval(Duration interval) {
        this.minRefetchInterval = Objects.requireNonNull(interval, "minRefetchInterval");
        return this;
    }

    /** For the whole exchange, connect to last body byte. */
    public RemoteJwksBuilder fetchTimeout(Duration timeout) {
        this.fetchTimeout = Objects.requireNonNull(timeout, "fetchTimeout");
        return this;
    }

    public RemoteJwksBuilder maxBodyBytes(int max) {
        this.maxBodyBytes = max;
        return this;
    }

    /** A client to share (TLS settings, proxy); by default the source makes its own and closes it with itself. */
    public RemoteJwksBuilder httpClient(HttpClient client) {
        this.httpClient = Objects.requireNonNull(client, "httpClient");
        return this;
    }

    /** Monotonic nanoseconds for the refetch rate limit; tests pass a manual clock. */
    public RemoteJwksBuilder nanoClock(LongSupplier clock) {
        this.nanoClock = Objects.requireNonNull(clock, "nanoClock");
        return this;
    }

    public RemoteJwks build() {
        String scheme = uri.getScheme();
        if (!"https".equalsIgnoreCase(scheme) && !"http".equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException("uri must be http or https, was " + uri);
        }
        positive(refreshInterval, "refreshInterval");
        positive(fetchTimeout, "fetchTimeout");
        if (minRefetchInterval.isNegative()) {
            throw new IllegalArgumentException("minRefetchInterval must be >= 0, was " + minRefetchInterval);
        }
        if (maxBodyBytes <= 0) {
            throw new IllegalArgumentException("maxBodyBytes must be > 0, was " + maxBodyBytes);
        }
        return new RemoteJwks(this);
    }

    private static void positive(Duration d, String field) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(field + " must be > 0, was " + d);
        }
    }
}
