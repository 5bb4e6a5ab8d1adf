package io.portcullis.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway {@code redis-server} from PATH on 127.0.0.1, for the shared rate-limit tests: no persistence, its own
 * port, killed with SIGKILL or paused with SIGSTOP on demand, restarted on the same port, stopped on close. Never a
 * system Redis.
 *
 * <p>Redis cannot listen on port 0 and report the port, so a random port below the ephemeral range is tried and
 * another one picked if Redis cannot bind it; nothing reserves a port and releases it (STYLE habit 7).
 */
public final class RedisServer implements AutoCloseable {
    private static final int ATTEMPTS = 20;

    private final int port;
    private volatile Process process;

    private RedisServer(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    /** Starts a Redis on a free port and waits until it answers PING. */
    public static RedisServer start() throws IOException {
        IOException last = null;
        for (int i = 0; i < ATTEMPTS; i++) {
            int port = ThreadLocalRandom.current().nextInt(20_000, 32_000);
            try {
                return new RedisServer(port, launch(port));
            } catch (IOException e) {
                last = e;
            }
        }
        throw new IOException("no redis-server started after " + ATTEMPTS + " ports", last);
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL: open connections are reset, no goodbye. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGSTOP: connections stay open and nothing answers, like a hung server or a black-holed network. */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause}. */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    /** Starts a fresh, empty Redis on the same port (after {@link #kill}); waits until it answers PING. */
    public void restart() throws IOException, InterruptedException {
        kill();
        IOException last = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try {
                process = launch(port);
                return;
            } catch (IOException e) {
                last = e; // the old socket may linger for a moment
                Thread.onSpinWait();
            }
        }
        throw new IOException("redis-server did not restart on port " + port, last);
    }

    /** Sends one command in Redis's inline protocol and returns the first reply line, for checks from tests. */
    public String command(String inline) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            return in.readLine();
        }
    }

    /** The text of {@code INFO <section>}, e.g. {@code commandstats}. */
    public String info(String section) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(2000);
            s.getOutputStream().write(("INFO " + section + "\r\n").getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String header = in.readLine(); // "$<length>": a bulk reply
            if (header == null || !header.startsWith("$")) {
                throw new IOException("INFO " + section + " answered " + header);
            }
            char[] body = new char[Integer.parseInt(header.substring(1))];
            int read = 0;
            while (read < body.length) {
                int n = in.read(body, read, body.length - read);
                if (n < 0) {
                    throw new IOException("INFO " + section + " reply cut short");
                }
                read += n;
            }
            return new String(body);
        }
    }

    /** Kills the server; an interrupt while waiting for it to go is kept for the caller. */
    @Override
    public void close() {
        try {
            kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
        if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    private static Process launch(int port) throws IOException {
        Process p = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--loglevel", "notice")
                .redirectErrorStream(true)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        List<String> seen = new ArrayList<>();
        String line;
        while ((line = out.readLine()) != null) {
            seen.add(line);
            if (line.contains("Ready to accept connections")) {
                drain(out, port);
                Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
                if (!answersPing(port)) {
                    p.destroyForcibly();
                    throw new IOException("redis-server on port " + port + " does not answer PING");
                }
                return p;
            }
        }
        p.destroyForcibly();
        throw new IOException("redis-server exited on port " + port + ": " + String.join(" | ", seen));
    }

    private static boolean answersPing(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(2000);
            s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            return "+PONG".equals(new BufferedReader(new InputStreamReader(s.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine());
        }
    }

    private static void drain(BufferedReader out, int port) {
        Thread t = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // keep the pipe from filling
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        }, "redis-" + port + "-output");
        t.setDaemon(true);
        t.start();
    }
}
