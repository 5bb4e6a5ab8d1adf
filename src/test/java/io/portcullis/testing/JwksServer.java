package io.portcullis.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A JWKS endpoint on 127.0.0.1, port 0, that counts its requests and can rotate keys, fail, serve garbage and
 * hold requests until the test releases them.
 */
public final class JwksServer implements AutoCloseable {
    public enum Mode { OK, FAIL_500, GARBAGE, HOLD }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final AtomicReference<String> jwks;
    private final AtomicReference<Mode> mode = new AtomicReference<>(Mode.OK);
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger held = new AtomicInteger();
    private volatile CountDownLatch release = new CountDownLatch(1);

    public JwksServer(String initialJwks) throws IOException {
        this.jwks = new AtomicReference<>(initialJwks);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/jwks", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks");
    }

    public void serve(String document) {
        jwks.set(document);
    }

    public void mode(Mode next) {
        if (next == Mode.HOLD) {
            release = new CountDownLatch(1);
        }
        mode.set(next);
    }

    /** Lets held requests answer with the document served now. */
    public void release() {
        mode.set(Mode.OK);
        release.countDown();
    }

    public int requests() {
        return requests.get();
    }

    /** Requests currently held in {@link Mode#HOLD}. */
    public int held() {
        return held.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        Mode now = mode.get();
        if (now == Mode.HOLD) {
            held.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            held.decrementAndGet();
            now = Mode.OK;
        }
        int status = now == Mode.FAIL_500 ? 500 : 200;
        String body = switch (now) {
            case FAIL_500 -> "oops";
            case GARBAGE -> "<html>not json</html>";
            default -> jwks.get();
        };
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
