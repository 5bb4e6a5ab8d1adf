package io.portcullis.security.jwt;

import static io.portcullis.security.jwt.Outcomes.now;
import static io.portcullis.security.jwt.Outcomes.rejected;
import static io.portcullis.security.jwt.Outcomes.verified;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.RSAKey;
import io.portcullis.testing.LogCapture;
import io.portcullis.testing.ManualClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.portcullis.testing.JwksServer;
import io.portcullis.testing.TestKeys;

/**
 * A remote JWKS against a real HTTP server that rotates its keys, fails and recovers. Wall time only bounds the
 * waits; the refetch rate limit runs on a manual clock.
 */
class RemoteJwksTest {
    private static final RSAKey K1 = TestKeys.rsa("k1");
    private static final RSAKey K2 = TestKeys.rsa("k2");
    private static final Duration MIN_REFETCH = Duration.ofSeconds(30);
    private static final Duration PAST_LIMIT = MIN_REFETCH.plusSeconds(1);

    private final ManualClock nanos = new ManualClock();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private JwksServer server;
    private RemoteJwks jwks;
    private JwtVerifier verifier;

    @BeforeEach
    void serveFirstKey() throws Exception {
        server = new JwksServer(TestKeys.jwks(K1));
    }

    @AfterEach
    void stop() {
        if (jwks != null) {
            jwks.close();
        }
        server.close();
        scheduler.shutdownNow();
    }

    private RemoteJwks start(UnaryOperator<RemoteJwksBuilder> settings) {
        jwks = settings.apply(RemoteJwks.builder(server.uri(), scheduler)
                .refreshInterval(Duration.ofHours(1)).minRefetchInterval(MIN_REFETCH)
                .fetchTimeout(Duration.ofSeconds(5)).nanoClock(nanos)).build();
        verifier = JwtVerifier.builder(jwks).cacheSize(0).build();
        jwks.start();
        return jwks;
    }

    private RemoteJwks startReady() throws Exception {
        start(b -> b).ready().get(10, TimeUnit.SECONDS);
        return jwks;
    }

    private static String token(RSAKey key, String kid) {
        return TestKeys.sign(key, JWSAlgorithm.RS256, kid, TestKeys.claims(Instant.now()).build());
    }

    private Outcome eventually(String token) {
        CompletableFuture<Outcome> future = verifier.verify(token);
        await().atMost(Duration.ofSeconds(10)).until(future::isDone);
        return future.join();
    }

    @Test
    void startFetchesTheKeysAndBecomesReady() throws Exception {
        startReady();
        assertThat(jwks.current().keyIds()).containsExactly("k1");
        assertThat(server.requests()).isEqualTo(1);
        assertThat(jwks.fetchesSucceeded()).isEqualTo(1);
        verified(now(verifier, token(K1, "k1")));
    }

    @Test
    void anUnknownKidRefetchesOnceAndVerifiesAfterARotation() throws Exception {
        startReady();
        server.serve(TestKeys.jwks(K1, K2));
        String rotated = token(K2, "k2");
        // Right after the initial fetch the rate limit answers at once, without asking the server.
        rejected(now(verifier, rotated), Reason.UNKNOWN_KEY, rotated);
        assertThat(jwks.refetchesRefused()).isEqualTo(1);
        assertThat(server.requests()).isEqualTo(1);

        nanos.advance(PAST_LIMIT);
        verified(eventually(rotated));
        assertThat(server.requests()).isEqualTo(2);
        verified(now(verifier, token(K2, "k2"))); // known now: no fetch, no wait
        assertThat(server.requests()).isEqualTo(2);
    }

    @Test
    void aBurstOfUnknownKidsSharesOneFetchThenIsRateLimited() throws Exception {
        startReady();
        server.serve(TestKeys.jwks(K1, K2));
        server.mode(JwksServer.Mode.HOLD);
        nanos.advance(PAST_LIMIT);
        List<CompletableFuture<Outcome>> ghosts = new ArrayList<>();
        CompletableFuture<Outcome> rotated = verifier.verify(token(K2, "k2"));
        for (int i = 0; i < 20; i++) {
            ghosts.add(verifier.verify(token(K1, "ghost-" + i)));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.held() == 1);
        assertThat(rotated).isNotDone();
        assertThat(ghosts).noneMatch(CompletableFuture::isDone);
        assertThat(server.requests()).isEqualTo(2);

        server.release();
        await().atMost(Duration.ofSeconds(10)).until(() -> rotated.isDone() && ghosts.stream().allMatch(f -> f.isDone()));
        verified(rotated.join());
        ghosts.forEach(f -> assertThat(((Rejected) f.join()).reason()).isEqualTo(Reason.UNKNOWN_KEY));
        assertThat(server.requests()).isEqualTo(2);

        for (int i = 0; i < 10; i++) {
            rejected(now(verifier, token(K1, "late-" + i)), Reason.UNKNOWN_KEY, "");
        }
        assertThat(server.requests()).isEqualTo(2);
        assertThat(jwks.refetchesRefused()).isEqualTo(10);

        nanos.advance(PAST_LIMIT);
        rejected(eventually(token(K1, "ghost-again")), Reason.UNKNOWN_KEY, "");
        assertThat(server.requests()).isEqualTo(3);
    }

    @Test
    void aFailingUrlKeepsTheLastGoodKeysAndWarnsOncePerStreak() throws Exception {
        try (LogCapture logs = new LogCapture(RemoteJwks.class)) {
            startReady();
            for (Runnable failure : List.<Runnable>of(
                    () -> server.mode(JwksServer.Mode.FAIL_500),
                    () -> server.mode(JwksServer.Mode.GARBAGE),
                    () -> { server.mode(JwksServer.Mode.OK); server.serve("{\"keys\":[]}"); })) {
                failure.run();
                nanos.advance(PAST_LIMIT);
                rejected(eventually(token(K1, "ghost")), Reason.UNKNOWN_KEY, "");
                verified(now(verifier, token(K1, "k1")));
            }
            assertThat(jwks.fetchesFailed()).isEqualTo(3);
            assertThat(jwks.current().keyIds()).containsExactly("k1");

            server.serve(TestKeys.jwks(K1, K2));
            nanos.advance(PAST_LIMIT);
            verified(eventually(token(K2, "k2")));
            String uri = server.uri().toString();
            assertThat(logs.lines()).containsExactly(
                    "INFO JWKS " + uri + ": 1 key(s) [k1]",
                    "WARN JWKS " + uri + ": fetch failed, keeping the last good set (1 key(s)): IOException: HTTP 500",
                    "INFO JWKS " + uri + ": fetch recovered after 3 failure(s)",
                    "INFO JWKS " + uri + ": 2 key(s) [k1, k2]");
        }
    }

    @Test
    void aHungFetchTimesOutAndKeepsTheKeys() throws Exception {
        start(b -> b.fetchTimeout(Duration.ofMillis(300))).ready().get(10, TimeUnit.SECONDS);
        server.mode(JwksServer.Mode.HOLD);
        nanos.advance(PAST_LIMIT);
        rejected(eventually(token(K1, "ghost")), Reason.UNKNOWN_KEY, "");
        assertThat(jwks.fetchesFailed()).isEqualTo(1);
        verified(now(verifier, token(K1, "k1")));
    }

    @Test
    void anOversizedDocumentIsAFailedFetch() {
        start(b -> b.maxBodyBytes(64));
        await().atMost(Duration.ofSeconds(10)).until(() -> jwks.fetchesFailed() == 1);
        assertThat(jwks.current().size()).isZero();
    }

    @Test
    void thePeriodicRefreshPicksUpARotation() throws Exception {
        start(b -> b.refreshInterval(Duration.ofMillis(100))).ready().get(10, TimeUnit.SECONDS);
        server.serve(TestKeys.jwks(K2)); // k1 retired
        await().atMost(Duration.ofSeconds(10)).until(() -> jwks.current().keyIds().equals(List.of("k2")));
        verified(now(verifier, token(K2, "k2")));
        String retired = token(K1, "k1");
        rejected(eventually(retired), Reason.UNKNOWN_KEY, retired); // may join a periodic fetch in flight
        assertThat(server.requests()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void readyWaitsForTheFirstGoodSet() {
        server.mode(JwksServer.Mode.FAIL_500);
        start(b -> b);
        await().atMost(Duration.ofSeconds(10)).until(() -> jwks.fetchesFailed() == 1);
        assertThat(jwks.ready()).isNotDone();
        server.mode(JwksServer.Mode.OK);
        nanos.advance(PAST_LIMIT);
        verified(eventually(token(K1, "k1")));
        assertThat(jwks.ready()).isCompleted();
    }

    @Test
    void afterCloseNothingIsFetched() throws Exception {
        startReady();
        jwks.close();
        nanos.advance(PAST_LIMIT);
        rejected(now(verifier, token(K1, "ghost")), Reason.UNKNOWN_KEY, "");
        verified(now(verifier, token(K1, "k1"))); // the last set still answers
        assertThat(server.requests()).isEqualTo(1);
    }

    @Test
    void settingsAreValidatedWithTheFieldName() {
        assertThatThrownBy(() -> RemoteJwks.builder(URI.create("ftp://idp/jwks"), scheduler).build())
                .hasMessage("uri must be http or https, was ftp://idp/jwks");
        assertThatThrownBy(() -> RemoteJwks.builder(server.uri(), scheduler).refreshInterval(Duration.ZERO).build())
                .hasMessage("refreshInterval must be > 0, was PT0S");
        assertThatThrownBy(() -> RemoteJwks.builder(server.uri(), scheduler).maxBodyBytes(0).build())
                .hasMessage("maxBodyBytes must be > 0, was 0");
    }
}
