package io.portcullis.server;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of the per-request header work on the proxy path: validation, target parsing, hop-by-hop removal and the
 * forwarding fields, on a typical browser-like request (12 fields) and on one with a Connection option list.
 * Run: {@code bench/jmh.sh HeaderProcessingBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HeaderProcessingBenchmark {
    private HttpHeaders template;
    private HttpHeaders withConnection;

    @Setup
    public void setup() {
        template = new DefaultHttpHeaders()
                .add("Host", "api.example.com")
                .add("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36")
                .add("Accept", "application/json, text/plain, */*")
                .add("Accept-Language", "en-US,en;q=0.9")
                .add("Accept-Encoding", "gzip, deflate, br")
                .add("Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.e30.signature")
                .add("Cookie", "session=abc123; theme=dark")
                .add("Referer", "https://app.example.com/dashboard")
                .add("X-Request-Id", "3f2a8c1e-5b6d-4e7f-8a9b-0c1d2e3f4a5b")
                .add("X-Forwarded-For", "203.0.113.7")
                .add("Cache-Control", "no-cache")
                .add("Connection", "keep-alive");
        withConnection = template.copy().set("Connection", "keep-alive, x-debug").add("x-debug", "1")
                .add("Keep-Alive", "timeout=5").add("TE", "trailers");
    }

    private static Object process(HttpHeaders source) {
        HttpHeaders headers = source.copy();
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                "/v1/users/42/orders?limit=10&offset=20", headers);
        ErrorReason invalid = RequestValidator.validate(request);
        RequestTarget target = RequestTarget.parse(request.uri());
        String host = RequestTarget.routingHost(headers.get("host"));
        String id = headers.get(ProxyHeaders.X_REQUEST_ID);
        if (!RequestIds.isWellFormed(id)) {
            id = RequestIds.generate();
        }
        ProxyHeaders.removeHopByHop(headers);
        ProxyHeaders.addForwarded(headers, "198.51.100.23", host, "http", false, id);
        return invalid == null ? target : invalid;
    }

    @Benchmark
    public Object typicalRequest() {
        return process(template);
    }

    @Benchmark
    public Object connectionOptions() {
        return process(withConnection);
    }
}
