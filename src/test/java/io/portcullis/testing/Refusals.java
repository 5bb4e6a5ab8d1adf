package io.portcullis.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends a request the gateway must refuse and checks the refusal: one JSON error with the expected status and
 * reason, a request id, the connection closed, and a backend that saw nothing (not even a connection).
 */
public final class Refusals {
    private static final int READ_TIMEOUT_MS = 3000;
    private static final Pattern ERROR = Pattern.compile("\"error\":\"([A-Z_]+)\"");
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] \\d{3} ");

    private Refusals() {}

    /** What came back on one connection, and whether the server closed it within the read timeout. */
    public record Reply(String raw, boolean closed) {
        public int status() {
            return RawClient.status(raw);
        }

        public String body() {
            int i = raw.indexOf("\r\n\r\n");
            return i < 0 ? "" : raw.substring(i + 4);
        }

        public String error() {
            Matcher m = ERROR.matcher(body());
            return m.find() ? m.group(1) : null;
        }

        public long responses() {
            return STATUS_LINE.matcher(raw).results().count();
        }
    }

    /** Sends {@code raw} in one write and reads until the server closes (or the read timeout passes). */
    public static Reply exchange(int port, String raw) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(READ_TIMEOUT_MS);
            OutputStream out = s.getOutputStream();
            try {
                out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (IOException e) {
                // The server may refuse and close while we are still writing: what it answered is still readable.
            }
            return readUntilClose(s.getInputStream());
        }
    }

    public static Reply readUntilClose(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] b = new byte[8192];
        boolean closed = false;
        try {
            int n;
            while ((n = in.read(b)) >= 0) {
                buf.write(b, 0, n);
            }
            closed = true;
        } catch (SocketTimeoutException e) {
            // not closed: the assertion on Reply.closed() reports it
        } catch (IOException e) {
            closed = true; // reset counts as closed; an empty reply is then reported by the status assertion
        }
        return new Reply(buf.toString(StandardCharsets.ISO_8859_1), closed);
    }

    public static void assertRefused(Reply reply, String raw, List<Integer> statuses, List<String> reasons) {
        String what = "request:%n%s%nresponse:%n%s".formatted(escape(raw), reply.raw());
        assertThat(reply.status()).as("status; " + what).isIn(statuses);
        assertThat(reply.body()).as("JSON body; " + what).startsWith("{\"status\":" + reply.status() + ",");
        assertThat(reply.error()).as("error reason; " + what).isIn(reasons);
        assertThat(reply.body()).as("request id; " + what).contains("\"request_id\":\"");
        assertThat(reply.responses()).as("exactly one response; " + what).isEqualTo(1);
        assertThat(reply.closed()).as("connection closed after the refusal; " + what).isTrue();
    }

    /** Not a request, not even a connection, for a while after the refusal (a late forward would show up). */
    public static void assertBackendUntouched(TestBackend backend) {
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
                .untilAsserted(() -> {
                    assertThat(backend.requestCount()).as("requests the backend received: %s", backend.requests())
                            .isZero();
                    assertThat(backend.connectionCount()).as("connections the backend accepted").isZero();
                });
    }

    public static String escape(String raw) {
        StringBuilder sb = new StringBuilder();
        for (char c : raw.toCharArray()) {
            switch (c) {
                case '\r' -> sb.append("\\r");
                case '\n' -> sb.append("\\n\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c >= 0x7f) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
