package io.portcullis.security.jwt;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One asynchronous GET of a JWKS URL, parsed into a {@link KeySet}. Fails (exceptionally) on a transport error, the
 * timeout, a status other than 200, a body over the limit, an unparsable document or one without a usable key: every
 * case in which {@link RemoteJwks} keeps its last good set. The timeout covers the whole exchange, body included
 * ({@link HttpRequest#timeout} alone stops at the headers); on expiry the request is cancelled.
 */
final class JwksFetcher {
    private final HttpClient client;
    private final HttpRequest request;
    private final Duration timeout;
    private final int maxBodyBytes;

    JwksFetcher(HttpClient client, URI uri, Duration timeout, int maxBodyBytes) {
        this.client = client;
        this.request = HttpRequest.newBuilder(uri).GET().timeout(timeout)
                .header("Accept", "application/json, application/jwk-set+json").build();
        this.timeout = timeout;
        this.maxBodyBytes = maxBodyBytes;
    }

    CompletableFuture<KeySet> fetch() {
        CompletableFuture<HttpResponse<byte[]>> sent;
        try {
            sent = client.sendAsync(request, info -> new BoundedBody(maxBodyBytes));
        } catch (RuntimeException e) { // a closed client refuses at once
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<HttpResponse<byte[]>> guarded = sent.copy().orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS);
        guarded.whenComplete((response, error) -> {
            if (error instanceof TimeoutException) {
                sent.cancel(true);
            }
        });
        return guarded.thenApply(JwksFetcher::parse);
    }

    private static KeySet parse(HttpResponse<byte[]> response) {
        try {
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode());
            }
            KeySet keys = KeySet.parse(new String(response.body(), StandardCharsets.UTF_8));
            if (keys.size() == 0) {
                throw new IOException("no usable signature-verification key (" + keys.skipped() + " skipped)");
            }
            return keys;
        } catch (IOException e) {
            throw new CompletionException(e);
        } catch (ParseException e) {
            throw new CompletionException(new IOException("unparsable JWKS: " + e.getMessage(), e));
        }
    }
}
