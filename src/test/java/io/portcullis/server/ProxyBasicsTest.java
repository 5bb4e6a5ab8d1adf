package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.BackendAndGateway;
import io.portcullis.testing.RawClient;
import io.portcullis.testing.TestBackend;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class ProxyBasicsTest extends BackendAndGateway {
    @Test
    void proxiesGetAndAddsForwardingHeaders() throws Exception {
        HttpResponse<String> r = gw.get("/hello?x=1");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("backend GET /hello?x=1 body=0");
        TestBackend.Recorded seen = backend.lastRequest();
        assertThat(seen.header("x-forwarded-for")).isEqualTo("127.0.0.1");
        assertThat(seen.header("x-forwarded-proto")).isEqualTo("http");
        assertThat(seen.header("via")).isEqualTo("1.1 portcullis");
        assertThat(seen.header("x-request-id")).isNotBlank();
        assertThat(r.headers().firstValue("x-request-id")).contains(seen.header("x-request-id"));
        assertThat(seen.all("host")).containsExactly("127.0.0.1:" + gw.port());
        // Linux with the native library bundled: the epoll transport, not the NIO fallback.
        assertThat(gw.gateway().transport()).isEqualTo("epoll");
    }

    @Test
    void rawKeepAlive() throws Exception {
        String resp = RawClient.exchange(gw.port(), "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(resp).contains("backend GET /a").contains("backend GET /b");
        assertThat(resp.indexOf("GET /a")).isLessThan(resp.indexOf("GET /b"));
    }
}
