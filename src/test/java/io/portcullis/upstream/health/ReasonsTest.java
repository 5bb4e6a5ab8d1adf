package io.portcullis.upstream.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

/** Failure reasons drop what the log line already says (the address) and transport noise (the system call). */
class ReasonsTest {

    @Test
    void nioConnectErrorLosesTheAppendedAddress() {
        assertThat(Reasons.of(new ConnectException("Connection refused: /127.0.0.1:42487")))
                .isEqualTo("Connection refused");
    }

    @Test
    void epollConnectErrorLosesTheSystemCallAndTheAddress() {
        assertThat(Reasons.of(new ConnectException(
                "finishConnect(..) failed with error(-111): Connection refused: /127.0.0.1:42487")))
                .isEqualTo("Connection refused");
        assertThat(Reasons.of(new IOException("recvAddress(..) failed: Connection reset by peer")))
                .isEqualTo("Connection reset by peer");
    }

    @Test
    void resolvedNameAndIpv6AddressesAreDroppedToo() {
        assertThat(Reasons.of(new ConnectTimeoutException(
                "connection timed out after 250 ms: api.internal/10.0.0.7:8080")))
                .isEqualTo("connection timed out after 250 ms");
        assertThat(Reasons.of(new ConnectException("Connection refused: /[0:0:0:0:0:0:0:1]:8080")))
                .isEqualTo("Connection refused");
    }

    @Test
    void exceptionWithoutMessageIsNamedByItsType() {
        assertThat(Reasons.of(new IOException())).isEqualTo("IOException");
    }
}
