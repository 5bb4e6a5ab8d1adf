package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;
import static io.portcullis.testing.Refusals.assertBackendUntouched;
import static org.awaitility.Awaitility.await;
import static io.portcullis.testing.Refusals.assertRefused;
import static io.portcullis.testing.Refusals.escape;
import static io.portcullis.testing.Refusals.exchange;

import io.portcullis.testing.Refusals.Reply;
import io.portcullis.testing.BackendAndGateway;
import io.portcullis.testing.TestBackend;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * End-to-end, over real sockets: request heads that could desynchronise the gateway and a backend (request
 * smuggling) or that RFC 9110/9112 says must be refused. Every case asserts the exact status, the JSON error reason,
 * that the connection is closed, and that the backend never saw a byte (no request, not even a connection).
 */
class SmugglingTest extends BackendAndGateway {
    private static final String FRAMING = "INVALID_FRAMING";
    private static final String BAD_REQUEST = "BAD_REQUEST";
    private static final String INVALID_HEADER = "INVALID_HEADER";
    private static final String INVALID_TARGET = "INVALID_TARGET";


    /** name, raw request, expected status, acceptable error reasons (first = preferred). */
    static Stream<Arguments> refused() {
        return Stream.of(
                // --- message framing (RFC 9112 §6) ---
                refuse("CL and TE together", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, FRAMING),
                refuse("TE and CL together (TE first)", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                        + "Content-Length: 5\r\n\r\n0\r\n\r\n", 400, FRAMING),
                refuse("duplicate Content-Length, different values", "POST / HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400, FRAMING),
                refuse("duplicate Content-Length, same value", "POST / HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", 400, FRAMING),
                refuse("Content-Length list '5, 5'", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\n"
                        + "hello", 400, FRAMING),
                refuse("Content-Length abc", cl("abc"), 400, FRAMING, BAD_REQUEST),
                refuse("Content-Length +5", cl("+5"), 400, FRAMING, BAD_REQUEST),
                refuse("Content-Length -1", cl("-1"), 400, FRAMING, BAD_REQUEST),
                refuse("Content-Length 1_0", cl("1_0"), 400, FRAMING, BAD_REQUEST),
                refuse("Content-Length 0x5", cl("0x5"), 400, FRAMING, BAD_REQUEST),
                refuse("Content-Length '5 5'", cl("5 5"), 400, FRAMING, BAD_REQUEST),
                refuse("Content-Length overflow", cl("99999999999999999999"), 400, FRAMING, BAD_REQUEST),
                refuse("TE xchunked", te("Transfer-Encoding: xchunked"), 400, FRAMING),
                refuse("TE 'chunked, identity'", te("Transfer-Encoding: chunked, identity"), 400, FRAMING),
                refuse("TE with space before colon", te("Transfer-Encoding : chunked"), 400,
                        FRAMING, INVALID_HEADER, BAD_REQUEST),
                refuse("TE with VT before value", te("Transfer-Encoding: \u000bchunked"), 400,
                        FRAMING, INVALID_HEADER, BAD_REQUEST),
                refuse("TE twice", te("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked"), 400, FRAMING),
                refuse("TE chunked then xchunked (TE.TE)", te("Transfer-Encoding: chunked\r\n"
                        + "Transfer-Encoding: xchunked"), 400, FRAMING),
                refuse("TE 'chunked, chunked'", te("Transfer-Encoding: chunked, chunked"), 400, FRAMING),
                // RFC 9112 §6.1: a coding the server does not understand SHOULD be 501; 400 is also acceptable.
                refuse400or501("TE 'gzip, chunked'", te("Transfer-Encoding: gzip, chunked")),
                refuse("TE folded onto the next line", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n"
                        + " chunked\r\n\r\n0\r\n\r\n", 400, INVALID_HEADER, FRAMING),
                // RFC 9112 §6.1: TE in an HTTP/1.0 message means faulty framing.
                refuse("TE on HTTP/1.0", "POST / HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n0\r\n\r\n", 400, FRAMING),
                refuse("TE and CL on HTTP/1.0", "POST / HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                        + "Content-Length: 5\r\n\r\nhello", 400, FRAMING),
                // --- field syntax (RFC 9112 §5) ---
                refuse("obs-fold with SP", "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n continued\r\n\r\n", 400,
                        INVALID_HEADER),
                refuse("obs-fold with HTAB", "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\tcontinued\r\n\r\n", 400,
                        INVALID_HEADER),
                refuse("bare CR in a header value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", 400,
                        INVALID_HEADER),
                refuse("bare CR before a smuggled field", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r"
                        + "Transfer-Encoding: chunked\r\n\r\n", 400, INVALID_HEADER),
                refuse("bare LF line endings", "GET / HTTP/1.1\nHost: x\n\n", 400, INVALID_HEADER),
                refuse("one bare LF among CRLFs", "GET / HTTP/1.1\r\nHost: x\nX-A: 1\r\n\r\n", 400, INVALID_HEADER),
                refuse("NUL in a header value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n", 400,
                        INVALID_HEADER),
                refuse("SP before colon", "GET / HTTP/1.1\r\nHost: x\r\nX-A : 1\r\n\r\n", 400,
                        INVALID_HEADER, BAD_REQUEST),
                refuse("HTAB before colon", "GET / HTTP/1.1\r\nHost: x\r\nX-A\t: 1\r\n\r\n", 400,
                        INVALID_HEADER, BAD_REQUEST),
                refuse("SP before colon on Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length : 5\r\n"
                        + "\r\nhello", 400, INVALID_HEADER, BAD_REQUEST, FRAMING),
                refuse("header name with a non-token char", "GET / HTTP/1.1\r\nHost: x\r\nX(A): 1\r\n\r\n", 400,
                        INVALID_HEADER, BAD_REQUEST),
                refuse("header line without colon", "GET / HTTP/1.1\r\nHost: x\r\nX-A 1\r\n\r\n", 400,
                        INVALID_HEADER, BAD_REQUEST),
                // --- Host (RFC 9112 §3.2) ---
                refuse("missing Host on HTTP/1.1", "GET / HTTP/1.1\r\nX-A: 1\r\n\r\n", 400, "MISSING_HOST"),
                refuse("duplicate Host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "DUPLICATE_HOST"),
                refuse("duplicate Host, same value", "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400,
                        "DUPLICATE_HOST"),
                refuse("Host with SP", "GET / HTTP/1.1\r\nHost: exa mple.com\r\n\r\n", 400, INVALID_HEADER),
                refuse("Host with slash", "GET / HTTP/1.1\r\nHost: a.com/evil\r\n\r\n", 400, INVALID_HEADER),
                refuse("Host with userinfo", "GET / HTTP/1.1\r\nHost: user@a.com\r\n\r\n", 400, INVALID_HEADER),
                refuse("Host with quote", "GET / HTTP/1.1\r\nHost: a\"b\r\n\r\n", 400, INVALID_HEADER),
                refuse("Host with backslash", "GET / HTTP/1.1\r\nHost: a\\b\r\n\r\n", 400, INVALID_HEADER),
                refuse("Host with non-ASCII", "GET / HTTP/1.1\r\nHost: \u00e9.com\r\n\r\n", 400, INVALID_HEADER),
                // --- request line (RFC 9112 §3) ---
                refuse("method G@T", "G@T / HTTP/1.1\r\nHost: x\r\n\r\n", 400, BAD_REQUEST),
                refuse("method with a comma", "GET,POST / HTTP/1.1\r\nHost: x\r\n\r\n", 400, BAD_REQUEST),
                refuse("target without slash", "GET foo HTTP/1.1\r\nHost: x\r\n\r\n", 400, INVALID_TARGET),
                refuse("target with SOH", "GET /a\u0001b HTTP/1.1\r\nHost: x\r\n\r\n", 400,
                        INVALID_TARGET, BAD_REQUEST),
                refuse("target with DEL", "GET /a\u007fb HTTP/1.1\r\nHost: x\r\n\r\n", 400,
                        INVALID_TARGET, BAD_REQUEST),
                refuse("target with VT", "GET /a\u000bb HTTP/1.1\r\nHost: x\r\n\r\n", 400,
                        INVALID_TARGET, BAD_REQUEST),
                refuse("target with FF", "GET /a\u000cb HTTP/1.1\r\nHost: x\r\n\r\n", 400,
                        INVALID_TARGET, BAD_REQUEST),
                refuse("target with HTAB", "GET /a\tb HTTP/1.1\r\nHost: x\r\n\r\n", 400,
                        INVALID_TARGET, BAD_REQUEST),
                refuse("target with SP", "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400, INVALID_TARGET, BAD_REQUEST),
                refuse("target with non-ASCII", "GET /\u00e9 HTTP/1.1\r\nHost: x\r\n\r\n", 400,
                        INVALID_TARGET, BAD_REQUEST),
                refuse("target with fragment", "GET /a#frag HTTP/1.1\r\nHost: x\r\n\r\n", 400, INVALID_TARGET),
                refuse("absolute target with userinfo", "GET http://user@x/ HTTP/1.1\r\nHost: x\r\n\r\n", 400,
                        INVALID_TARGET),
                refuse("asterisk target on GET", "GET * HTTP/1.1\r\nHost: x\r\n\r\n", 400, INVALID_TARGET),
                refuse("version HTTP/1.2", "GET / HTTP/1.2\r\nHost: x\r\n\r\n", 505, "UNSUPPORTED_VERSION"),
                refuse("version HTTP/2.0", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, "UNSUPPORTED_VERSION"),
                refuse("version HTTX/1.1", "GET / HTTX/1.1\r\nHost: x\r\n\r\n", 400, BAD_REQUEST),
                refuse("version http/1.1 (lower case)", "GET / http/1.1\r\nHost: x\r\n\r\n", 400, BAD_REQUEST),
                refuse("version HTTP/1", "GET / HTTP/1\r\nHost: x\r\n\r\n", 400, BAD_REQUEST),
                refuse("version HTTP/01.1", "GET / HTTP/01.1\r\nHost: x\r\n\r\n", 400, BAD_REQUEST),
                refuse("CONNECT", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 501,
                        "NOT_IMPLEMENTED"));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("refused")
    void refusesWithoutReachingTheBackend(String name, String raw, List<Integer> statuses, List<String> reasons)
            throws IOException {
        Reply reply = exchange(gw.port(), raw);

        assertRefused(reply, raw, statuses, reasons);
        assertBackendUntouched(backend);
    }

    /**
     * A tab after the colon is optional whitespace (RFC 9110 §5.6.3): the request is legal and must be proxied,
     * with its chunked body intact, so the gateway is strict without being wrong.
     */
    @Test
    void tabAfterColonIsLegalOws() throws IOException {
        String raw = "POST /ows HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\tchunked\r\nConnection: close\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n";
        Reply reply = exchange(gw.port(), raw);

        assertThat(reply.status()).as("response to %s:%n%s", escape(raw), reply.raw()).isEqualTo(200);
        assertThat(reply.raw()).contains("backend POST /ows body=5");
        assertThat(backend.requestCount()).isEqualTo(1);
        assertThat(backend.lastRequest().bodyBytes()).isEqualTo(5);
    }

    /** Pairs: a refused request carrying a second, smuggled request, followed by an honest one. */
    static Stream<Arguments> smuggled() {
        String smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
        String teBody = Integer.toHexString(smuggled.length()) + "\r\n" + smuggled + "\r\n0\r\n\r\n";
        return Stream.of(
                // CL.TE: a CL-trusting hop sees one request; a TE-trusting hop sees "0\r\n\r\n" then /smuggled.
                Arguments.of("CL.TE", "POST /first HTTP/1.1\r\nHost: x\r\nContent-Length: "
                        + ("0\r\n\r\n" + smuggled).length() + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                        + smuggled),
                // TE.CL: a TE-trusting hop sees one chunk; a CL-trusting hop reads 4 bytes then /smuggled.
                Arguments.of("TE.CL", "POST /first HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n" + teBody),
                // TE.TE: one hop honours the first TE, the other chokes on the obfuscated one and falls back to CL.
                Arguments.of("TE.TE", "POST /first HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                        + "Transfer-Encoding: chunked\r\nTransfer-Encoding: xchunked\r\n\r\n" + teBody),
                // CL.CL: two lengths, each hop picks a different one.
                Arguments.of("CL.CL", "POST /first HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: "
                        + smuggled.length() + "\r\n\r\n" + smuggled),
                // Obs-fold TE: a hop that unfolds sees chunked, a hop that doesn't sees CL.
                Arguments.of("folded TE", "POST /first HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                        + "Transfer-Encoding:\r\n chunked\r\n\r\n" + teBody),
                // HTTP/1.0 with TE: a 1.0 hop uses CL, a lenient hop uses chunked.
                Arguments.of("TE on HTTP/1.0", "POST /first HTTP/1.0\r\nHost: x\r\nContent-Length: 4\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n" + teBody),
                // Bare-LF: one hop ends the head at "\n\n", another reads on.
                Arguments.of("bare LF head", "GET /first HTTP/1.1\r\nHost: x\r\nX-A: 1\n\n" + smuggled));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smuggled")
    void smuggledRequestNeverReachesTheBackend(String name, String attack) throws IOException {
        String honest = "GET /honest HTTP/1.1\r\nHost: x\r\n\r\n";
        String raw = attack + honest;
        Reply reply = exchange(gw.port(), raw);

        assertRefused(reply, raw, List.of(400), List.of(FRAMING, INVALID_HEADER, BAD_REQUEST));
        assertThat(reply.raw()).as("nothing after the refusal may be answered").doesNotContain("/smuggled")
                .doesNotContain("/honest").doesNotContain("/first");
        assertBackendUntouched(backend);
        assertThat(backend.requests()).noneMatch(r -> r.uri().contains("smuggled"));
    }

    /**
     * The decoder's strictness must hold for every request on a connection, not just the first: a clean request
     * (with no body, a fixed body, or a chunked body) followed in the same write by a malformed one. The first is
     * answered, the second refused, and the backend sees only the first.
     */
    static Stream<Arguments> pipelinedAfterAValidRequest() {
        List<String> firsts = List.of(
                "GET /first HTTP/1.1\r\nHost: x\r\n\r\n",
                "POST /first HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
                "POST /first HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        List<Arguments> out = new ArrayList<>();
        for (String first : firsts) {
            String kind = first.contains("chunked") ? "chunked" : first.contains("Content-Length") ? "fixed" : "empty";
            out.add(Arguments.of(kind + " then obs-fold", first,
                    "GET /second HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n folded\r\n\r\n", INVALID_HEADER));
            out.add(Arguments.of(kind + " then NUL", first,
                    "GET /second HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n", INVALID_HEADER));
            out.add(Arguments.of(kind + " then bare CR", first,
                    "GET /second HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", INVALID_HEADER));
            out.add(Arguments.of(kind + " then CL+TE", first, "POST /second HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", FRAMING));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pipelinedAfterAValidRequest")
    void strictnessHoldsForPipelinedRequests(String name, String first, String second, String reason)
            throws IOException {
        String raw = first + second + "GET /third HTTP/1.1\r\nHost: x\r\n\r\n";
        Reply reply = exchange(gw.port(), raw);

        String what = "request:%n%s%nresponse:%n%s".formatted(escape(raw), reply.raw());
        assertThat(reply.responses()).as("two responses; " + what).isEqualTo(2);
        assertThat(reply.status()).as("first status; " + what).isEqualTo(200);
        assertThat(reply.raw()).as(what).contains(" /first body=").doesNotContain("/second")
                .doesNotContain("/third");
        Reply refusal = new Reply(reply.raw().substring(reply.raw().indexOf("HTTP/1.1", 1)), reply.closed());
        assertRefused(refusal, raw, List.of(400), List.of(reason));
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThat(backend.requests()).extracting(TestBackend.Recorded::uri).containsExactly("/first"));
    }

    /**
     * Chunked framing errors in the body (RFC 9112 §7.1). The head may already be upstream when the body goes bad,
     * so the backend may have seen a connection; it must never see a complete request, and the client gets 400.
     */
    static Stream<Arguments> badChunkedBodies() {
        return Stream.of(
                Arguments.of("chunk size 0x5", "0x5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("chunk size with junk", "5 x\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("chunk size overflow", "fffffffffffffffff1\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("negative chunk size", "-5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("chunk size with leading SP", " 5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("bare LF after chunk size", "5\nhello\r\n0\r\n\r\n"),
                Arguments.of("bare LF in chunk extension", "5;a\nb\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("missing CRLF after chunk data", "5\r\nhelloXX0\r\n\r\n"),
                Arguments.of("chunk data longer than its size", "3\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("NUL in a trailer", "5\r\nhello\r\n0\r\nX-T: a\u0000b\r\n\r\n"),
                Arguments.of("bare CR in a trailer", "5\r\nhello\r\n0\r\nX-T: a\rb\r\n\r\n"),
                Arguments.of("obs-fold in a trailer", "5\r\nhello\r\n0\r\nX-T: a\r\n b\r\n\r\n"),
                Arguments.of("bare LF in a trailer", "5\r\nhello\r\n0\r\nX-T: a\n\r\n"),
                Arguments.of("SP before colon in a trailer", "5\r\nhello\r\n0\r\nX-T : a\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badChunkedBodies")
    void malformedChunkedBodyIsRefused(String name, String body) throws IOException {
        String raw = "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + body
                + "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
        Reply reply = exchange(gw.port(), raw);

        assertThat(reply.status()).as("status; the backend saw %s; request:%n%s%nresponse:%n%s", backend.requests(),
                escape(raw), reply.raw()).isEqualTo(400);
        assertRefused(reply, raw, List.of(400), List.of(FRAMING, INVALID_HEADER, BAD_REQUEST));
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThat(backend.requests()).as("complete requests at the backend").isEmpty());
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private static Arguments refuse(String name, String raw, int status, String... reasons) {
        return Arguments.of(name, raw, List.of(status), List.of(reasons));
    }

    private static Arguments refuse400or501(String name, String raw) {
        return Arguments.of(name, raw, List.of(400, 501), List.of(FRAMING, "NOT_IMPLEMENTED"));
    }

    private static String cl(String value) {
        return "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + value + "\r\n\r\nhello";
    }

    private static String te(String fields) {
        return "POST / HTTP/1.1\r\nHost: x\r\n" + fields + "\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
    }
}
