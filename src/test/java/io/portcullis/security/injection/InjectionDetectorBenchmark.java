package io.portcullis.security.injection;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Per-request cost of the injection filter's detection: a typical benign query string (~100 bytes, seven
 * parameters, some percent-encoded), a benign 1 KiB JSON body, a browser's User-Agent header, and an encoded
 * SQL injection in a query string (the rarer, slower path that ends in a finding).
 * Run: {@code bench/jmh.sh InjectionDetectorBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class InjectionDetectorBenchmark {
    private static final int MAX = 64 * 1024;
    private static final String QUERY =
            "q=running+shoes+men%27s&sort=price_asc&page=2&limit=24&brand=nike%2Cadidas&color=black&in_stock=true";
    private static final String ATTACK_QUERY = "page=1&id=1%27%20or%20%271%27%3D%271%27--";
    private static final String USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
            + "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    private static final String JSON = """
            {"order":{"id":"3f2a8c1e-5b6d-4e7f-8a9b-0c1d2e3f4a5b","created":"2024-05-01T12:00:00Z",
            "customer":{"name":"Siobhan O'Brien","email":"s.obrien@example.ie","phone":"+353 1 555 0100",
            "address":{"street":"25 O'Connell Street Upper","city":"Dublin","postcode":"D01 F5P2","country":"IE"}},
            "items":[{"sku":"KB-75-BRN","name":"Keychron K2 75% keyboard (Gateron Brown)","qty":1,"price":89.99},
            {"sku":"MN-27-4K","name":"Dell UltraSharp 27\\" 4K USB-C monitor","qty":2,"price":579.00},
            {"sku":"CB-USBC-2M","name":"USB-C to USB-C cable, 2m, 100W","qty":3,"price":12.49}],
            "note":"Please leave the parcel with the neighbour at no. 27 if nobody's home - thanks!",
            "gift":{"wrap":true,"message":"Happy birthday! Don't open it before Sunday :)"},
            "payment":{"method":"card","last4":"4242","currency":"EUR","total":1286.46},
            "shipping":{"carrier":"DHL","service":"express","eta":"2024-05-03","tracking":"1Z999AA10123456784"},
            "tags":["priority","gift","returning-customer"],"source":"web","coupon":null,"loyalty_points":128}}
            """;

    private final InjectionDetector detector = InjectionDetector.all();
    private ByteBuf json;

    @Setup
    public void setup() {
        json = Unpooled.copiedBuffer(JSON, StandardCharsets.UTF_8);
        if (json.readableBytes() < 1000 || json.readableBytes() > 1100) {
            throw new IllegalStateException("the JSON body should be about 1 KiB, is " + json.readableBytes());
        }
        if (detector.scanQuery(QUERY, MAX) != null || detector.scanJson(json, MAX) != null
                || detector.scan(USER_AGENT) != null || detector.scanQuery(ATTACK_QUERY, MAX) == null) {
            throw new IllegalStateException("benchmark inputs are not classified as intended");
        }
    }

    @TearDown
    public void tearDown() {
        json.release();
    }

    @Benchmark
    public Finding benignQuery() {
        return detector.scanQuery(QUERY, MAX);
    }

    @Benchmark
    public Finding benignJson1KiB() {
        return detector.scanJson(json, MAX);
    }

    @Benchmark
    public Finding userAgentHeader() {
        return detector.scan(USER_AGENT);
    }

    @Benchmark
    public Finding attackQuery() {
        return detector.scanQuery(ATTACK_QUERY, MAX);
    }
}
