package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.portcullis.config.RouteConfig.HashKey;
import io.portcullis.config.RouteConfig.HashKey.Source;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where each hash key source finds its value, and that a missing value asks for a random pick. */
class RequestHashTest {

    private static HttpRequest request(String uri, String... headers) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return r;
    }

    private static long hash(HashKey key, HttpRequest r) {
        return RequestHash.of(key, r, RequestTarget.parse(r.uri()), "10.0.0.1");
    }

    @Test
    void cookieValueFromAnyCookieField() {
        assertThat(RequestHash.cookie(List.of("a=1; session=abc; b=2"), "session")).isEqualTo("abc");
        assertThat(RequestHash.cookie(List.of("a=1", "session=\"q\""), "session")).isEqualTo("q");
        assertThat(RequestHash.cookie(List.of("xsession=1; sessionx=2"), "session")).isNull();
        assertThat(RequestHash.cookie(List.of(), "session")).isNull();
    }

    @Test
    void queryParameterFirstOccurrenceRaw() {
        assertThat(RequestHash.queryParam("/p?a=1&tenant=acme&tenant=x", "tenant")).isEqualTo("acme");
        assertThat(RequestHash.queryParam("/p?tenant", "tenant")).isEmpty();
        assertThat(RequestHash.queryParam("/p?xtenant=1", "tenant")).isNull();
        assertThat(RequestHash.queryParam("/p", "tenant")).isNull();
        assertThat(RequestHash.queryParam("/p?t=a%20b", "t")).isEqualTo("a%20b");
    }

    @Test
    void sameValueSameHashAndMissingValueIsNone() {
        HashKey header = new HashKey(Source.HEADER, "x-user");
        assertThat(hash(header, request("/a", "x-user", "u1"))).isEqualTo(hash(header, request("/b", "X-User", "u1")))
                .isNotEqualTo(hash(header, request("/a", "x-user", "u2")));
        assertThat(hash(header, request("/a"))).isEqualTo(RequestHash.NONE);

        HashKey path = new HashKey(Source.PATH, null);
        assertThat(hash(path, request("/x?q=1"))).isEqualTo(hash(path, request("/x?q=2")))
                .isNotEqualTo(hash(path, request("/y")));

        HashKey client = new HashKey(Source.CLIENT_ADDRESS, null);
        assertThat(hash(client, request("/a"))).isNotEqualTo(RequestHash.NONE);
    }
}
