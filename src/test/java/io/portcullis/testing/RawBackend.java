package io.portcullis.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend that answers every request head with fixed bytes, for responses no well-behaved server would send:
 * malformed status lines, conflicting lengths, truncated bodies. It reads the request head (up to the blank line),
 * writes {@code response}, and then closes the connection if {@code closeAfter}.
 */
public final class RawBackend implements AutoCloseable {
    private final ServerSocket server;
    private final Thread acceptor;
    private final AtomicInteger requests = new AtomicInteger();

    public RawBackend(String response, boolean closeAfter) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        byte[] bytes = response.getBytes(StandardCharsets.ISO_8859_1);
        acceptor = Thread.ofPlatform().daemon().name("raw-backend").start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread.ofPlatform().daemon().start(() -> serve(s, bytes, closeAfter));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    private void serve(Socket s, byte[] response, boolean closeAfter) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (readHead(in)) {
                requests.incrementAndGet();
                out.write(response);
                out.flush();
                if (closeAfter) {
                    return;
                }
            }
        } catch (SocketException e) {
            // peer went away: normal for these tests
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    /** Consumes one request head; false at end of stream. Bodies are not expected. */
    private static boolean readHead(InputStream in) throws IOException {
        int state = 0;
        int b;
        while ((b = in.read()) >= 0) {
            state = switch (state) {
                case 0 -> b == '\r' ? 1 : 0;
                case 1 -> b == '\n' ? 2 : 0;
                case 2 -> b == '\r' ? 3 : 0;
                case 3 -> b == '\n' ? 4 : 0;
                default -> 0;
            };
            if (state == 4) {
                return true;
            }
        }
        return false;
    }

    public int port() {
        return server.getLocalPort();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    public int requestCount() {
        return requests.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
