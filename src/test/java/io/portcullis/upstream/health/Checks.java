package io.portcullis.upstream.health;

import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.portcullis.config.ClusterConfig;
import io.portcullis.config.ClusterConfig.StatusRange;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.awaitility.core.ConditionFactory;

/** Config and checker shorthands for the health tests: millisecond intervals, NIO, one target unless told. */
final class Checks {
    static final Duration INTERVAL = Duration.ofMillis(20);

    private Checks() {
    }

    static ClusterConfig.HealthCheck tcp(int healthyThreshold, int unhealthyThreshold) {
        return config(null, INTERVAL, Duration.ZERO, Duration.ofSeconds(1), healthyThreshold, unhealthyThreshold);
    }

    static ClusterConfig.HealthCheck http(String path, String host, int healthyThreshold, int unhealthyThreshold) {
        return config(new ClusterConfig.Http(path, host, List.of(StatusRange.SUCCESS)), INTERVAL, Duration.ZERO,
                Duration.ofSeconds(1), healthyThreshold, unhealthyThreshold);
    }

    static ClusterConfig.HealthCheck config(ClusterConfig.Http http, Duration interval, Duration jitter,
            Duration timeout, int healthyThreshold, int unhealthyThreshold) {
        return new ClusterConfig.HealthCheck(true, http, interval, jitter, timeout, healthyThreshold,
                unhealthyThreshold);
    }

    static HealthChecker.Target target(InetSocketAddress address, Boolean knownHealthy) {
        return new HealthChecker.Target("127.0.0.1:" + address.getPort(), address, knownHealthy);
    }

    static HealthChecker.Target target(int port) {
        return target(new InetSocketAddress("127.0.0.1", port), null);
    }

    /** A started checker of cluster "api". */
    static HealthChecker start(ClusterConfig.HealthCheck config, EventLoopGroup group, HealthChecker.Listener listener,
            HealthChecker.Target... targets) {
        HealthChecker checker = new HealthChecker("api", config, List.of(targets), group, NioSocketChannel.class,
                new SplittableRandom(7), listener);
        checker.start();
        return checker;
    }

    /** Checks run every 20 ms, so anything taking seconds is a failure. */
    static ConditionFactory soon() {
        return await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(5));
    }
}
