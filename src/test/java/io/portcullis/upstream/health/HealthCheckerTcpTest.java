package io.portcullis.upstream.health;

import static io.portcullis.upstream.health.Checks.soon;
import static io.portcullis.upstream.health.Checks.target;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.portcullis.config.ClusterConfig;
import io.portcullis.upstream.health.Transitions.Transition;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** TCP checks on both transports the gateway runs on: connecting is passing. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HealthCheckerTcpTest {

    /** A group and matching channel class; epoll only where it loads. */
    private record Transport(MultiThreadIoEventLoopGroup group, Class<? extends SocketChannel> channel)
            implements AutoCloseable {
        static Transport of(String name) {
            if (name.equals("epoll")) {
                Assumptions.assumeTrue(Epoll.isAvailable(), "epoll not available");
                return new Transport(group(EpollIoHandler.newFactory()), EpollSocketChannel.class);
            }
            return new Transport(group(NioIoHandler.newFactory()), NioSocketChannel.class);
        }

        private static MultiThreadIoEventLoopGroup group(IoHandlerFactory factory) {
            return new MultiThreadIoEventLoopGroup(1, factory);
        }

        HealthChecker start(ClusterConfig.HealthCheck config, HealthChecker.Listener listener,
                HealthChecker.Target target) {
            HealthChecker checker = new HealthChecker("api", config, List.of(target), group, channel,
                    new SplittableRandom(7), listener);
            checker.start();
            return checker;
        }

        @Override
        public void close() {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll"})
    void listeningPortStaysHealthyAndNothingIsSent(String transport) throws Exception {
        try (Transport t = Transport.of(transport); StatusBackend backend = new StatusBackend(200)) {
            Transitions transitions = new Transitions(t.group());
            try (HealthChecker checker = t.start(Checks.tcp(2, 1), transitions, target(backend.address(), null))) {
                soon().until(() -> backend.accepted() >= 4);
                assertThat(checker.healthy(0)).isTrue();
                assertThat(transitions.all()).isEmpty();
                assertThat(backend.requestCount()).as("a TCP check sends nothing").isZero();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll"})
    void closedPortIsUnhealthyWithConnectionRefused(String transport) throws Exception {
        try (Transport t = Transport.of(transport); Socket notListening = new Socket()) {
            notListening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Transitions transitions = new Transitions(t.group());
            try (HealthChecker checker = t.start(Checks.tcp(2, 3), transitions,
                    target(notListening.getLocalPort()))) {
                soon().until(() -> transitions.size() == 1);
                assertThat(transitions.all()).containsExactly(
                        new Transition(0, false, "connect failed: Connection refused", true, -1));
                assertThat(checker.healthy(0)).isFalse();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll"})
    void tcpCheckClosesItsConnectionRightAfterConnecting(String transport) throws Exception {
        ClusterConfig.HealthCheck oneCheck = Checks.config(null, Duration.ofSeconds(30), Duration.ZERO,
                Duration.ofSeconds(1), 2, 3);
        try (Transport t = Transport.of(transport); StatusBackend backend = new StatusBackend(200);
                HealthChecker checker = t.start(oneCheck, new Transitions(t.group()),
                        target(backend.address(), null))) {
            soon().until(() -> backend.accepted() == 1);
            soon().until(() -> backend.openConnections() == 0);
            assertThat(checker.healthy(0)).isTrue();
        }
    }
}
