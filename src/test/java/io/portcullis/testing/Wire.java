package io.portcullis.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Reads HTTP/1.x responses off a socket exactly as sent: header fields in order with duplicates, the body as the
 * framing delimits it, chunked trailers, and whether the body was complete. Shared by the end-to-end tests.
 */
public final class Wire {
    public enum Framing { NONE, LENGTH, CHUNKED, CLOSE }

    public record Response(String version, int status, List<Map.Entry<String, String>> headers, byte[] body,
            Framing framing, List<Map.Entry<String, String>> trailers, boolean complete) {
        public List<String> all(String name) {
            return FieldList.all(headers, name);
        }

        public String header(String name) {
            return FieldList.first(headers, name);
        }

        public String text() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }
    }

    private final InputStream in;

    public Wire(InputStream in) {
        this.in = new BufferedInputStream(in);
    }

    /** Every response in {@code raw}; only the first may answer a HEAD request. */
    public static List<Response> parse(String raw, boolean firstIsHead) throws IOException {
        Wire wire = new Wire(new ByteArrayInputStream(raw.getBytes(StandardCharsets.ISO_8859_1)));
        List<Response> out = new ArrayList<>();
        Response r = wire.next(firstIsHead);
        while (r != null) {
            out.add(r);
            r = wire.next(false);
        }
        return out;
    }

    /** The next response, or null at end of stream; a read timeout propagates as an exception. */
    public Response next(boolean headRequest) throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            return null;
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not a status line: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        List<Map.Entry<String, String>> headers = fields();
        Response head = new Response(parts[0], status, headers, new byte[0], Framing.NONE, List.of(), true);
        if (headRequest || status < 200 || status == 204 || status == 304) {
            return head;
        }
        List<String> te = head.all("transfer-encoding");
        if (!te.isEmpty() && te.get(te.size() - 1).trim().toLowerCase().endsWith("chunked")) {
            return chunked(head);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String cl = head.header("content-length");
        if (cl != null) {
            long n = Long.parseLong(cl.trim());
            boolean complete = copy(body, n) == n;
            return new Response(parts[0], status, headers, body.toByteArray(), Framing.LENGTH, List.of(),
                    complete);
        }
        copy(body, Long.MAX_VALUE);
        return new Response(parts[0], status, headers, body.toByteArray(), Framing.CLOSE, List.of(), true);
    }

    /** Everything left until the peer closes (a reset counts as a close). */
    public byte[] rest() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        copy(out, Long.MAX_VALUE);
        return out.toByteArray();
    }

    private Response chunked(Response head) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = line();
            if (sizeLine == null) {
                return withBody(head, body, List.of(), false);
            }
            int semi = sizeLine.indexOf(';');
            long size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
            if (size == 0) {
                return withBody(head, body, fields(), true);
            }
            if (copy(body, size) < size || line() == null) {
                return withBody(head, body, List.of(), false);
            }
        }
    }

    private static Response withBody(Response head, ByteArrayOutputStream body,
            List<Map.Entry<String, String>> trailers, boolean complete) {
        return new Response(head.version(), head.status(), head.headers(), body.toByteArray(), Framing.CHUNKED,
                trailers, complete);
    }

    private List<Map.Entry<String, String>> fields() throws IOException {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        String l;
        while ((l = line()) != null && !l.isEmpty()) {
            int colon = l.indexOf(':');
            if (colon <= 0) {
                throw new IOException("not a header field: " + l);
            }
            out.add(Map.entry(l.substring(0, colon), l.substring(colon + 1).trim()));
        }
        return out;
    }

    /** One CRLF-terminated line without its terminator; null at end of stream. */
    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = read()) >= 0) {
            if (b == '\n') {
                int n = sb.length();
                if (n == 0 || sb.charAt(n - 1) != '\r') {
                    throw new IOException("bare LF after: " + sb);
                }
                return sb.substring(0, n - 1);
            }
            sb.append((char) b);
        }
        return null;
    }

    private long copy(ByteArrayOutputStream out, long max) throws IOException {
        long copied = 0;
        int b;
        while (copied < max && (b = read()) >= 0) {
            out.write(b);
            copied++;
        }
        return copied;
    }

    private int read() throws IOException {
        try {
            return in.read();
        } catch (SocketException e) {
            return -1; // connection reset: the client sees the stream end
        }
    }
}
