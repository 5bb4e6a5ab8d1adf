package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.GatewayProcess;
import io.portcullis.testing.TestBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bodies stream through with backpressure: 1 GiB each way through a gateway JVM limited to a 64 MiB heap (and so,
 * by default, 64 MiB of direct memory). Buffering a body whole would fail with OutOfMemoryError.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StreamingIT {
    static final long GIB = 1L << 30;
    static TestBackend backend;
    static GatewayProcess gateway;

    @BeforeAll
    static void start() throws Exception {
        backend = new TestBackend();
        Path config = Files.createTempFile("streaming", ".yaml");
        Files.writeString(config, """
                access_log: { enabled: false }
                server: { event_loops: 1 }
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                routes:
                  - name: all
                    match: { path_prefix: / }
                    cluster: backend
                    timeout: 60s
                    max_body_size: 2GiB
                clusters:
                  - name: backend
                    endpoints: [ "%s" ]
                """.formatted(backend.address()));
        gateway = GatewayProcess.run(config, "-Xmx64m");
    }

    @AfterAll
    static void stop() throws IOException {
        if (gateway != null) {
            gateway.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void oneGibUploadStreams() throws Exception {
        try (Socket s = new Socket("127.0.0.1", gateway.port())) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: " + GIB + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[256 * 1024];
            for (long sent = 0; sent < GIB; sent += chunk.length) {
                out.write(chunk);
            }
            out.flush();
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(response).startsWith("HTTP/1.1 200").endsWith("body=" + GIB);
        }
        assertThat(backend.lastRequest().bodyBytes()).isEqualTo(GIB);
        assertThat(gateway.process().isAlive()).isTrue();
        assertThat(gateway.output()).doesNotContain("OutOfMemoryError");
    }

    @Test
    void oneGibDownloadStreams() throws Exception {
        for (String chunked : new String[] {"0", "1"}) {
            try (Socket s = new Socket("127.0.0.1", gateway.port())) {
                s.getOutputStream().write(("GET /bytes?n=" + GIB + "&chunked=" + chunked
                        + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                String head = readHead(in);
                assertThat(head).startsWith("HTTP/1.1 200");
                long total = 0;
                byte[] buf = new byte[256 * 1024];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    total += n;
                }
                if (chunked.equals("0")) {
                    assertThat(head).containsIgnoringCase("content-length: " + GIB);
                    assertThat(total).isEqualTo(GIB);
                } else {
                    // chunk framing adds a little; the payload itself is 1 GiB
                    assertThat(head).containsIgnoringCase("transfer-encoding: chunked");
                    assertThat(total).isGreaterThan(GIB);
                }
            }
        }
        assertThat(gateway.process().isAlive()).isTrue();
    }

    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) ? state + 1
                    : (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }
}
