package io.portcullis.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A byte-exact HTTP/1.1 client over a plain socket, for what real clients refuse to send: smuggling attempts,
 * malformed heads, pipelines. Reads until the server closes or the timeout passes.
 */
public final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    public RawClient(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        socket.setSoTimeout(5000);
        out = socket.getOutputStream();
        in = socket.getInputStream();
    }

    /** Sends {@code raw} (ISO-8859-1 bytes) and returns everything received until close or {@code timeoutMs}. */
    public static String exchange(int port, String raw, int timeoutMs) throws IOException {
        try (RawClient c = new RawClient(port)) {
            c.send(raw);
            return c.readUntilClose(timeoutMs);
        }
    }

    public static String exchange(int port, String raw) throws IOException {
        return exchange(port, raw, 5000);
    }

    public void send(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    public void send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
    }

    /** Everything the server sends until it closes the connection, or until the timeout (no exception then). */
    public String readUntilClose(int timeoutMs) throws IOException {
        socket.setSoTimeout(timeoutMs);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] b = new byte[8192];
        try {
            int n;
            while ((n = in.read(b)) >= 0) {
                buf.write(b, 0, n);
            }
        } catch (SocketTimeoutException e) {
            // the caller asserts on what arrived
        } catch (IOException e) {
            if (buf.size() == 0) {
                throw e;
            }
        }
        return buf.toString(StandardCharsets.ISO_8859_1);
    }

    /** True when the server closed the connection (read returns EOF) within the timeout. */
    public boolean closedWithin(int timeoutMs) throws IOException {
        socket.setSoTimeout(timeoutMs);
        try {
            byte[] b = new byte[8192];
            while (true) {
                if (in.read(b) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    public InputStream input() {
        return in;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** The status code of the first response in {@code raw}, or -1. */
    public static int status(String raw) {
        if (!raw.startsWith("HTTP/1.")) {
            return -1;
        }
        return Integer.parseInt(raw.substring(9, 12));
    }
}
