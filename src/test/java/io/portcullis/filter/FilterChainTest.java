package io.portcullis.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.portcullis.config.FilterConfig;
import io.portcullis.tls.ClientIdentity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/** The chain runs filters in order and holds each to its contract: decide exactly once. */
class FilterChainTest {
    private static final Peer PEER = new Peer("192.0.2.1", false, null);
    private final HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");

    private static Filter filter(String name, BiConsumer<HttpRequest, FilterChain> body) {
        return new Filter() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void onRequest(HttpRequest r, FilterChain chain) {
                body.accept(r, chain);
            }
        };
    }

    @Test
    void runsInOrderAddsDelaysAndStopsAtTheFirstAnswer() {
        List<String> ran = new ArrayList<>();
        FilterChain.Outcome outcome = FilterChain.run(List.of(
                filter("a", (r, c) -> { ran.add("a"); c.proceedAfter(5); }),
                filter("b", (r, c) -> { ran.add("b"); c.proceedAfter(7); }),
                filter("c", (r, c) -> { ran.add("c"); c.respond(429, "SLOW_DOWN"); }),
                filter("d", (r, c) -> { ran.add("d"); c.proceed(); })), request, PEER);
        assertThat(ran).containsExactly("a", "b", "c");
        assertThat(outcome.proceeds()).isFalse();
        assertThat(outcome.status()).isEqualTo(429);
        assertThat(outcome.error()).isEqualTo("SLOW_DOWN");

        FilterChain.Outcome delayed = FilterChain.run(List.of(filter("a", (r, c) -> c.proceedAfter(5)),
                filter("b", (r, c) -> c.proceedAfter(7))), request, PEER);
        assertThat(delayed.proceeds()).isTrue();
        assertThat(delayed.delayNanos()).isEqualTo(12);
        assertThat(FilterChain.run(List.of(), request, PEER).proceeds()).isTrue();
    }

    @Test
    void filtersSeeWhoSentTheRequestIncludingAVerifiedClientCertificate() {
        ClientIdentity identity = new ClientIdentity("CN=svc", List.of("svc.test"), List.of("spiffe://t/svc"), "ab");
        Peer peer = new Peer("198.51.100.7", true, identity);
        List<Peer> seen = new ArrayList<>();
        FilterChain.run(List.of(filter("who", (r, c) -> {
            seen.add(c.peer());
            c.proceed();
        })), request, peer);
        assertThat(seen).containsExactly(peer);
        assertThat(seen.get(0).identity().uris()).containsExactly("spiffe://t/svc");
    }

    @Test
    void aFilterThatDecidesTwiceOrNeverFailsWithItsName() {
        assertThatThrownBy(() -> FilterChain.run(List.of(filter("twice", (r, c) -> {
            c.proceed();
            c.respond(500, "X");
        })), request, PEER)).isInstanceOf(IllegalStateException.class).hasMessage("filter twice decided twice about one "
                + "request");
        assertThatThrownBy(() -> FilterChain.run(List.of(filter("silent", (r, c) -> { })), request, PEER))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("filter silent neither continued nor answered the request");
        assertThatThrownBy(() -> FilterChain.run(List.of(filter("odd", (r, c) -> c.respond(99, "X"))), request, PEER))
                .hasMessage("filter odd: status must be in 200..599, was 99");
    }

    @Test
    void faultFilterAbortsDelaysOrPassesByShareAndHeader() {
        double[] roll = {50};
        FaultFilter abortHalf = new FaultFilter(new FilterConfig.Fault(Duration.ZERO, 100, 503, 40, null),
                () -> roll[0]);
        assertThat(FilterChain.run(List.of(abortHalf), request, PEER).proceeds()).isTrue();
        roll[0] = 39.9;
        FilterChain.Outcome aborted = FilterChain.run(List.of(abortHalf), request, PEER);
        assertThat(aborted.status()).isEqualTo(503);
        assertThat(aborted.error()).isEqualTo("FAULT_INJECTED");

        FaultFilter delayOnHeader = new FaultFilter(new FilterConfig.Fault(Duration.ofMillis(3), 100, 0, 100,
                "x-fault"), () -> 0);
        assertThat(FilterChain.run(List.of(delayOnHeader), request, PEER).delayNanos()).isZero();
        request.headers().set("x-fault", "1");
        assertThat(FilterChain.run(List.of(delayOnHeader), request, PEER).delayNanos()).isEqualTo(3_000_000);
    }
}
