package io.portcullis.security.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;

/** Assertions shared by the verifier tests. */
final class Outcomes {
    private Outcomes() {
    }

    /** The outcome of a verification that must have completed synchronously (every path but a refetch). */
    static Outcome now(JwtVerifier verifier, String token) {
        CompletableFuture<Outcome> future = verifier.verify(token);
        assertThat(future).as("completed on the caller's thread").isDone();
        return future.join();
    }

    static Verified verified(Outcome outcome) {
        assertThat(outcome).isInstanceOf(Verified.class);
        return (Verified) outcome;
    }

    /** Checks the reason, and that the detail does not leak the token's signature (so not the token either). */
    static Rejected rejected(Outcome outcome, Reason reason, String token) {
        assertThat(outcome).isInstanceOf(Rejected.class);
        Rejected rejected = (Rejected) outcome;
        assertThat(rejected.reason()).as(rejected.detail()).isEqualTo(reason);
        int lastDot = token.lastIndexOf('.');
        if (lastDot >= 0 && token.length() - lastDot > 8) {
            assertThat(rejected.detail()).doesNotContain(token.substring(lastDot + 1));
        }
        return rejected;
    }
}
