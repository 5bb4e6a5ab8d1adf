package io.portcullis.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.portcullis.config.FilterConfig;
import io.portcullis.tls.ClientIdentity;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/** The chain runs filters in order and holds each to its contract: decide exactly once, now or after a wait. */
class FilterChainTest {
    private static final Peer PEER = new Peer("192.0.2.1", false, null);
    private final HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    /** Stands in for the event loop: tasks run when the test drains it. */
    private final ArrayDeque<Runnable> loop = new ArrayDeque<>();

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

    private FilterChain run(List<? extends Filter> filters, Peer peer) {
        FilterChain chain = FilterChain.create(List.copyOf(filters), request, peer, peer.address(), loop::add);
        chain.runHead();
        return chain;
    }

    private FilterChain run(List<? extends Filter> filters) {
        return run(filters, PEER);
    }

    @Test
    void runsInOrderAddsDelaysAndStopsAtTheFirstAnswer() {
        List<String> ran = new ArrayList<>();
        FilterChain answered = run(List.of(
                filter("a", (r, c) -> { ran.add("a"); c.proceedAfter(5); }),
                filter("b", (r, c) -> { ran.add("b"); c.proceedAfter(7); }),
                filter("c", (r, c) -> { ran.add("c"); c.respond(429, "SLOW_DOWN"); }),
                filter("d", (r, c) -> { ran.add("d"); c.proceed(); })));
        assertThat(ran).containsExactly("a", "b", "c");
        assertThat(answered.state()).isEqualTo(FilterChain.State.RESPONDED);
        assertThat(answered.rejection().status()).isEqualTo(429);
        assertThat(answered.rejection().error()).isEqualTo("SLOW_DOWN");
        assertThat(answered.rejection().filter()).isEqualTo("c");

        FilterChain delayed = run(List.of(filter("a", (r, c) -> c.proceedAfter(5)),
                filter("b", (r, c) -> c.proceedAfter(7))));
        assertThat(delayed.state()).isEqualTo(FilterChain.State.PROCEED);
        assertThat(delayed.delayNanos()).isEqualTo(12);
        assertThat(run(List.of()).state()).isEqualTo(FilterChain.State.PROCEED);
    }

    @Test
    void filtersSeeWhoSentTheRequestIncludingAVerifiedClientCertificate() {
        ClientIdentity identity = new ClientIdentity("CN=svc", List.of("svc.test"), List.of("spiffe://t/svc"), "ab");
        Peer peer = new Peer("198.51.100.7", true, identity);
        List<Peer> seen = new ArrayList<>();
        run(List.of(filter("who", (r, c) -> {
            seen.add(c.peer());
            c.proceed();
        })), peer);
        assertThat(seen).containsExactly(peer);
        assertThat(seen.get(0).identity().uris()).containsExactly("spiffe://t/svc");
    }

    @Test
    void aFilterThatDecidesTwiceOrNeverFailsWithItsName() {
        assertThatThrownBy(() -> run(List.of(filter("twice", (r, c) -> {
            c.proceed();
            c.respond(500, "X");
        })))).isInstanceOf(IllegalStateException.class).hasMessage("filter twice decided twice about one request");
        assertThatThrownBy(() -> run(List.of(filter("silent", (r, c) -> { }))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("filter silent neither continued nor answered the request");
        assertThatThrownBy(() -> run(List.of(filter("odd", (r, c) -> c.respond(99, "X")))))
                .hasMessage("filter odd: status must be in 200..599, was 99");
        assertThatThrownBy(() -> run(List.of(filter("waits-then-nothing", (r, c) ->
                c.await(CompletableFuture.completedFuture(1), (v, e) -> { })))))
                .hasMessage("filter waits-then-nothing neither continued nor answered the request");
    }

    @Test
    void aWaitThatIsAlreadyOverContinuesAtOnceAndAPendingOneResumesOnTheLoop() {
        List<String> ran = new ArrayList<>();
        FilterChain quick = run(List.of(
                filter("lookup", (r, c) -> c.await(CompletableFuture.completedFuture("k1"), (v, e) -> {
                    ran.add("got " + v);
                    c.proceed();
                })),
                filter("next", (r, c) -> { ran.add("next"); c.proceed(); })));
        assertThat(quick.state()).isEqualTo(FilterChain.State.PROCEED);
        assertThat(ran).containsExactly("got k1", "next");
        assertThat(loop).isEmpty();

        ran.clear();
        CompletableFuture<String> fetch = new CompletableFuture<>();
        List<FilterChain.State> resumed = new ArrayList<>();
        FilterChain slow = FilterChain.create(List.of(
                filter("lookup", (r, c) -> c.await(fetch, (v, e) -> {
                    ran.add("got " + v);
                    c.proceed();
                })),
                filter("next", (r, c) -> { ran.add("next"); c.proceed(); })), request, PEER, "192.0.2.1", loop::add)
                .onResumed(c -> resumed.add(c.state()));
        assertThat(slow.runHead()).isEqualTo(FilterChain.State.WAITING);
        assertThat(ran).isEmpty();
        fetch.complete("k2"); // on "another thread": the chain only continues on its loop
        assertThat(ran).isEmpty();
        assertThat(loop).hasSize(1);
        loop.poll().run();
        assertThat(ran).containsExactly("got k2", "next");
        assertThat(resumed).containsExactly(FilterChain.State.PROCEED);
    }

    @Test
    void aFailedWaitReachesTheFilterAndAFilterThatThrowsAfterAWaitStillGetsAnAnswer() {
        CompletableFuture<String> failing = new CompletableFuture<>();
        List<Throwable> errors = new ArrayList<>();
        FilterChain chain = FilterChain.create(List.of(filter("lookup", (r, c) -> c.await(failing, (v, e) -> {
            errors.add(e);
            c.respond(401, "NO_KEYS");
        }))), request, PEER, "192.0.2.1", loop::add);
        chain.runHead();
        failing.completeExceptionally(new IllegalStateException("down"));
        loop.poll().run();
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).hasMessage("down");
        assertThat(chain.rejection().error()).isEqualTo("NO_KEYS");

        CompletableFuture<String> later = new CompletableFuture<>();
        List<FilterChain.State> resumed = new ArrayList<>();
        FilterChain broken = FilterChain.create(List.of(filter("buggy", (r, c) -> c.await(later, (v, e) -> {
            throw new IllegalArgumentException("bug");
        }))), request, PEER, "192.0.2.1", loop::add).onResumed(c -> resumed.add(c.state()));
        broken.runHead();
        later.complete("x");
        loop.poll().run();
        assertThat(resumed).containsExactly(FilterChain.State.RESPONDED);
        assertThat(broken.rejection().status()).isEqualTo(500);
        assertThat(broken.rejection().error()).isEqualTo("FILTER_FAILED");
    }

    @Test
    void filtersThatNeedTheBodySeeItAfterEveryHeadCheckPassed() {
        List<String> ran = new ArrayList<>();
        Filter schema = new Filter() {
            @Override
            public String name() {
                return "schema";
            }

            @Override
            public void onRequest(HttpRequest r, FilterChain c) {
                ran.add("schema head");
                c.proceed();
            }

            @Override
            public boolean needsBody(HttpRequest r) {
                return true;
            }

            @Override
            public void onBody(HttpRequest r, ByteBuf body, FilterChain c) {
                ran.add("schema body " + body.toString(StandardCharsets.UTF_8));
                c.respond(422, "SCHEMA_VIOLATION");
            }
        };
        FilterChain chain = run(List.of(schema, filter("last", (r, c) -> { ran.add("last head"); c.proceed(); })));
        assertThat(chain.state()).isEqualTo(FilterChain.State.NEEDS_BODY);
        assertThat(ran).containsExactly("schema head", "last head");
        assertThat(chain.runBody(Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8)))
                .isEqualTo(FilterChain.State.RESPONDED);
        assertThat(ran).containsExactly("schema head", "last head", "schema body {}");
        assertThat(chain.rejection().filter()).isEqualTo("schema");
    }

    @Test
    void principalResponseActionsAndReportsAreKeptForTheCaller() {
        Principal alice = new Principal("alice", "api_key", Set.of("admin"), Set.of(), Map.of());
        FilterChain chain = run(List.of(
                filter("auth", (r, c) -> { c.authenticate(alice); c.proceed(); }),
                filter("headers", (r, c) -> {
                    c.onResponse(h -> h.set("x-frame-options", "DENY"));
                    c.proceed();
                }),
                filter("waf", (r, c) -> { c.report("SQLI", "query"); c.proceed(); }),
                filter("who", (r, c) -> {
                    assertThat(c.principal()).isEqualTo(alice);
                    c.proceed();
                })));
        assertThat(chain.state()).isEqualTo(FilterChain.State.PROCEED);
        HttpHeaders response = new DefaultHttpHeaders();
        chain.applyResponseActions(response);
        assertThat(response.get("x-frame-options")).isEqualTo("DENY");
        assertThat(chain.detections()).containsExactly(new FilterChain.Detection("waf", "SQLI", "query"));
    }

    @Test
    void faultFilterAbortsDelaysOrPassesByShareAndHeader() {
        double[] roll = {50};
        FaultFilter abortHalf = new FaultFilter(new FilterConfig.Fault(Duration.ZERO, 100, 503, 40, null),
                () -> roll[0]);
        assertThat(run(List.of(abortHalf)).state()).isEqualTo(FilterChain.State.PROCEED);
        roll[0] = 39.9;
        FilterChain aborted = run(List.of(abortHalf));
        assertThat(aborted.rejection().status()).isEqualTo(503);
        assertThat(aborted.rejection().error()).isEqualTo("FAULT_INJECTED");

        FaultFilter delayOnHeader = new FaultFilter(new FilterConfig.Fault(Duration.ofMillis(3), 100, 0, 100,
                "x-fault"), () -> 0);
        assertThat(run(List.of(delayOnHeader)).delayNanos()).isZero();
        request.headers().set("x-fault", "1");
        assertThat(run(List.of(delayOnHeader)).delayNanos()).isEqualTo(3_000_000);
    }
}
