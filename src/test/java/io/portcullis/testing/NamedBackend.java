package io.portcullis.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on 127.0.0.1 that answers every request with its name (body and {@code x-backend}), after an
 * adjustable delay and with an adjustable status: for load-balancing and health tests, where many backends must be
 * told apart and made slow or sick while the test runs. Threads per request, so a slow backend stays concurrent.
 */
public final class NamedBackend implements AutoCloseable {
    private final String name;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger healthChecks = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong bodyBytes = new java.util.concurrent.atomic.AtomicLong();
    private volatile int status = 200;
    private volatile int healthStatus = 200;
    private volatile long delayMillis;

    public NamedBackend(String name) throws IOException {
        this(name, 0);
    }

    public NamedBackend(String name, int port) throws IOException {
        this.name = name;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 512);
        // For backends in their own process (BackendProcess): POST /_control/status/500 sets the status.
        server.createContext("/_control/status/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            status(Integer.parseInt(path.substring(path.lastIndexOf('/') + 1)));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.createContext("/", exchange -> {
            boolean health = exchange.getRequestURI().getPath().equals("/healthz");
            (health ? healthChecks : requests).incrementAndGet();
            try (InputStream in = exchange.getRequestBody()) {
                bodyBytes.addAndGet(in.transferTo(java.io.OutputStream.nullOutputStream()));
            }
            long delay = health ? 0 : delayMillis;
            if (delay > 0) {
                try {
                    TimeUnit.MILLISECONDS.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] body = name.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("x-backend", name);
            exchange.sendResponseHeaders(health ? healthStatus : status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.setExecutor(executor);
        server.start();
    }

    /** {@code NamedBackend NAME PORT}: serves until killed; prints {@code ready PORT} once listening. */
    public static void main(String[] args) throws Exception {
        NamedBackend backend = new NamedBackend(args[0], Integer.parseInt(args[1]));
        // Not a log line: the parent (BackendProcess) reads this first line of stdout to learn the port.
        System.out.println("ready " + backend.port());
        System.out.flush();
        Thread.currentThread().join();
    }

    public String name() {
        return name;
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Requests other than health checks ({@code GET /healthz}) served so far. */
    public int requests() {
        return requests.get();
    }

    /** Request body bytes received, over all requests. */
    public long bodyBytes() {
        return bodyBytes.get();
    }

    public int healthChecks() {
        return healthChecks.get();
    }

    public NamedBackend delay(long millis) {
        this.delayMillis = millis;
        return this;
    }

    public NamedBackend status(int status) {
        this.status = status;
        return this;
    }

    /** Status of {@code /healthz}. */
    public NamedBackend healthStatus(int status) {
        this.healthStatus = status;
        return this;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
