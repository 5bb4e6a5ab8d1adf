package io.portcullis.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResponseCacheTest {
    private long nanos = 1_000;
    private final Ticker ticker = () -> nanos;

    private ResponseCache cache(long maxBytes, int maxEntryBytes) {
        return new ResponseCache(maxBytes, Duration.ofSeconds(10), maxEntryBytes, ticker);
    }

    private CachedResponse response(int bodyBytes) {
        byte[] body = new byte[bodyBytes];
        Arrays.fill(body, (byte) 'x');
        return new CachedResponse(200, List.of(Map.entry("content-type", "text/plain")), body, nanos);
    }

    private static HttpHeaders headers(String... namesAndValues) {
        HttpHeaders headers = new DefaultHttpHeaders();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return headers;
    }

    @Test
    void returnsWhatWasPut() {
        ResponseCache cache = cache(1 << 20, 1024);
        CachedResponse response = new CachedResponse(203, List.of(Map.entry("etag", "\"v1\"")),
                "hello".getBytes(), nanos);

        assertThat(cache.put("GET example.com/a", response)).isTrue();

        CachedResponse got = cache.get("GET example.com/a");
        assertThat(got).isEqualTo(response);
        assertThat(got.status()).isEqualTo(203);
        assertThat(got.headers()).containsExactly(Map.entry("etag", "\"v1\""));
        assertThat(got.body()).isEqualTo("hello".getBytes());
        assertThat(cache.get("GET example.com/b")).isNull();
    }

    @Test
    void entriesExpireTheTtlAfterTheyWereWritten() {
        ResponseCache cache = cache(1 << 20, 1024);
        cache.put("k", response(10));

        nanos += Duration.ofSeconds(10).toNanos() - 1;
        assertThat(cache.get("k")).isNotNull();
        nanos += 1;
        assertThat(cache.get("k")).isNull();
        assertThat(cache.weightedSize()).isZero();
    }

    @Test
    void aRewriteRestartsTheTtl() {
        ResponseCache cache = cache(1 << 20, 1024);
        cache.put("k", response(10));
        nanos += Duration.ofSeconds(8).toNanos();
        cache.put("k", response(20));
        nanos += Duration.ofSeconds(8).toNanos();

        assertThat(cache.get("k").bodyLength()).isEqualTo(20);
    }

    @Test
    void refusesBodiesOverMaxEntryBytes() {
        ResponseCache cache = cache(1 << 20, 100);

        assertThat(cache.put("fits", response(100))).isTrue();
        assertThat(cache.put("too-big", response(101))).isFalse();

        assertThat(cache.get("fits")).isNotNull();
        assertThat(cache.get("too-big")).isNull();
    }

    @Test
    void refusesAnEntryHeavierThanTheWholeCache() {
        ResponseCache cache = cache(500, 1 << 20);

        assertThat(cache.put("k", response(400))).isFalse();
        assertThat(cache.weightedSize()).isZero();
    }

    @Test
    void weighsBodyHeadersKeyAndOverhead() {
        ResponseCache cache = cache(1 << 20, 1024);
        cache.put("GET h/p", response(100));

        long headerBytes = "content-type".length() + "text/plain".length() + ": \r\n".length();
        assertThat(cache.weightedSize())
                .isEqualTo("GET h/p".length() + 100 + headerBytes + ResponseCache.ENTRY_OVERHEAD);
    }

    @Test
    void evictionKeepsTheTotalUnderTheBound() {
        long maxBytes = 10_000;
        ResponseCache cache = cache(maxBytes, 2_000);
        long entryWeight = ResponseCache.weight("key-000", response(1_000));

        for (int i = 0; i < 100; i++) {
            assertThat(cache.put("key-%03d".formatted(i), response(1_000))).isTrue();
            assertThat(cache.weightedSize()).isLessThanOrEqualTo(maxBytes);
        }

        long present = java.util.stream.IntStream.range(0, 100)
                .filter(i -> cache.get("key-%03d".formatted(i)) != null)
                .count();
        assertThat(present).isPositive().isLessThanOrEqualTo(maxBytes / entryWeight);
        assertThat(cache.weightedSize()).isEqualTo(present * entryWeight);
    }

    @Test
    void keyHasMethodHostPathAndEachVaryHeaderInOrder() {
        String key = ResponseCache.key("GET", "Example.COM", "/a?b=c",
                headers("Accept-Language", "de", "Accept", "text/html"), List.of("Accept-Language", "Accept"));

        assertThat(key).isEqualTo("GET example.com/a?b=c\naccept-language: de\naccept: text/html");
    }

    @Test
    void differentVaryValuesMakeDifferentKeys() {
        List<String> vary = List.of("Accept-Language");
        String german = ResponseCache.key("GET", "h", "/", headers("Accept-Language", "de"), vary);
        String french = ResponseCache.key("GET", "h", "/", headers("Accept-Language", "fr"), vary);
        String germanAgain = ResponseCache.key("GET", "h", "/", headers("accept-language", "de"), vary);

        assertThat(german).isNotEqualTo(french).isEqualTo(germanAgain);
        assertThat(ResponseCache.key("GET", "h", "/", headers("Accept-Language", "de"), List.of("ACCEPT-LANGUAGE")))
                .as("the vary list's spelling does not matter either").isEqualTo(german);
        assertThat(ResponseCache.key("GET", "h", "/", headers("Accept-Language", "de"), List.of()))
                .as("no vary header, no variants").isEqualTo("GET h/");
    }

    @Test
    void multiValuedHeadersAreJoinedWithCommas() {
        List<String> vary = List.of("Accept");
        String twoFields = ResponseCache.key("GET", "h", "/", headers("Accept", "a", "accept", "b"), vary);
        String oneList = ResponseCache.key("GET", "h", "/", headers("Accept", "a,b"), vary);

        assertThat(twoFields).isEqualTo("GET h/\naccept: a,b").isEqualTo(oneList);
        assertThat(ResponseCache.key("GET", "h", "/", headers("Accept", "b", "Accept", "a"), vary))
                .as("order of values matters").isNotEqualTo(twoFields);
    }

    @Test
    void anAbsentVaryHeaderDiffersFromAnEmptyOne() {
        List<String> vary = List.of("Authorization");
        String absent = ResponseCache.key("GET", "h", "/", headers(), vary);
        String empty = ResponseCache.key("GET", "h", "/", headers("Authorization", ""), vary);

        assertThat(absent).isEqualTo("GET h/\nauthorization");
        assertThat(empty).isEqualTo("GET h/\nauthorization: ");
    }

    @Test
    void methodAndPathSeparateKeys() {
        assertThat(ResponseCache.key("GET", "h", "/a", headers(), List.of()))
                .isNotEqualTo(ResponseCache.key("HEAD", "h", "/a", headers(), List.of()))
                .isNotEqualTo(ResponseCache.key("GET", "h", "/a?x", headers(), List.of()));
    }

    @Test
    void storedResponsesAreCopiesOfTheirInputs() {
        ResponseCache cache = cache(1 << 20, 1024);
        byte[] body = "original".getBytes();
        List<Map.Entry<String, String>> headers = new ArrayList<>(List.of(Map.entry("x-a", "1")));
        cache.put("k", new CachedResponse(200, headers, body, nanos));

        body[0] = 'X';
        headers.add(Map.entry("x-b", "2"));
        cache.get("k").body()[1] = 'Y';

        CachedResponse got = cache.get("k");
        assertThat(got.body()).isEqualTo("original".getBytes());
        assertThat(got.headers()).containsExactly(Map.entry("x-a", "1"));
        assertThatThrownBy(() -> got.headers().add(Map.entry("x-c", "3")))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void cachedResponsesAreValues() {
        CachedResponse a = new CachedResponse(200, List.of(), new byte[] {1, 2}, 5);
        CachedResponse b = new CachedResponse(200, List.of(), new byte[] {1, 2}, 5);

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(new CachedResponse(200, List.of(), new byte[] {1, 3}, 5));
        assertThat(a.toString()).contains("body=2 bytes");
    }

    @Test
    void argumentsAreCheckedWithTheirNames() {
        assertThatThrownBy(() -> new CachedResponse(99, List.of(), new byte[0], 0))
                .hasMessage("status must be in [100, 599], was 99");
        assertThatThrownBy(() -> new CachedResponse(200, null, new byte[0], 0)).hasMessage("headers");
        assertThatThrownBy(() -> new ResponseCache(0, Duration.ofSeconds(1), 1, ticker))
                .hasMessage("maxBytes must be > 0, was 0");
        assertThatThrownBy(() -> new ResponseCache(1, Duration.ZERO, 1, ticker))
                .hasMessage("ttl must be > 0, was PT0S");
        assertThatThrownBy(() -> new ResponseCache(1, Duration.ofSeconds(1), -1, ticker))
                .hasMessage("maxEntryBytes must be >= 0, was -1");
    }
}
