package io.portcullis.ratelimit.overload;

import static io.portcullis.ratelimit.overload.ConnectionLimits.Verdict.ACCEPTED;
import static io.portcullis.ratelimit.overload.ConnectionLimits.Verdict.TOO_FAST_FROM_CLIENT;
import static io.portcullis.ratelimit.overload.ConnectionLimits.Verdict.TOO_MANY_CONNECTIONS;
import static io.portcullis.ratelimit.overload.ConnectionLimits.Verdict.TOO_MANY_FROM_CLIENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.ratelimit.overload.RequestBudget.Verdict;
import io.portcullis.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ConnectionLimitsTest {
    private final ManualClock clock = new ManualClock();

    @Test
    void theTotalCapIsSharedByAllClients() {
        ConnectionLimits limits = ConnectionLimits.builder().maxConnections(2).build();
        assertThat(limits.tryOpen("10.0.0.1")).isEqualTo(ACCEPTED);
        assertThat(limits.tryOpen("10.0.0.2")).isEqualTo(ACCEPTED);
        assertThat(limits.tryOpen("10.0.0.3")).isEqualTo(TOO_MANY_CONNECTIONS);
        limits.close("10.0.0.1");
        assertThat(limits.tryOpen("10.0.0.3")).isEqualTo(ACCEPTED);
        assertThat(limits.trackedClients()).as("no per-client limit, no entries").isZero();
    }

    @Test
    void oneClientCannotTakeMoreThanItsShare() {
        ConnectionLimits limits = ConnectionLimits.builder().maxConnections(10).maxConnectionsPerClient(2).build();
        assertThat(limits.tryOpen("a")).isEqualTo(ACCEPTED);
        assertThat(limits.tryOpen("a")).isEqualTo(ACCEPTED);
        assertThat(limits.tryOpen("a")).isEqualTo(TOO_MANY_FROM_CLIENT);
        assertThat(limits.tryOpen("b")).isEqualTo(ACCEPTED);
        assertThat(limits.openConnections()).isEqualTo(3);
        assertThat(limits.openConnections("a")).isEqualTo(2);
        limits.close("a");
        assertThat(limits.tryOpen("a")).isEqualTo(ACCEPTED);
    }

    @Test
    void aRefusedClientDoesNotUseUpTheTotal() {
        ConnectionLimits limits = ConnectionLimits.builder().maxConnections(2).maxConnectionsPerClient(1).build();
        limits.tryOpen("a");
        for (int i = 0; i < 5; i++) {
            assertThat(limits.tryOpen("a")).isEqualTo(TOO_MANY_FROM_CLIENT);
        }
        assertThat(limits.tryOpen("b")).isEqualTo(ACCEPTED);
    }

    @Test
    void newConnectionsPerClientAreRateLimitedAfterABurst() {
        ConnectionLimits limits = ConnectionLimits.builder().newConnectionRate(10, 3).nanoClock(clock).build();
        for (int i = 0; i < 3; i++) {
            assertThat(limits.tryOpen("a")).isEqualTo(ACCEPTED);
        }
        assertThat(limits.tryOpen("a")).isEqualTo(TOO_FAST_FROM_CLIENT);
        assertThat(limits.tryOpen("b")).as("another client has its own bucket").isEqualTo(ACCEPTED);
        clock.advance(Duration.ofMillis(99));
        assertThat(limits.tryOpen("a")).isEqualTo(TOO_FAST_FROM_CLIENT);
        clock.advance(Duration.ofMillis(1));
        assertThat(limits.tryOpen("a")).isEqualTo(ACCEPTED);
        assertThat(limits.tryOpen("a")).isEqualTo(TOO_FAST_FROM_CLIENT);
        assertThat(limits.openConnections("a")).isEqualTo(4);
        clock.advance(Duration.ofSeconds(1));
        for (int i = 0; i < 3; i++) {
            assertThat(limits.tryOpen("a")).as("a full bucket again").isEqualTo(ACCEPTED);
        }
    }

    @Test
    void closingIsNotAWayAroundTheRate() {
        ConnectionLimits limits = ConnectionLimits.builder().newConnectionRate(1, 1).nanoClock(clock).build();
        assertThat(limits.tryOpen("a")).isEqualTo(ACCEPTED);
        limits.close("a");
        assertThat(limits.trackedClients()).as("kept: its bucket is not full yet").isEqualTo(1);
        assertThat(limits.tryOpen("a")).isEqualTo(TOO_FAST_FROM_CLIENT);
    }

    @Test
    void entriesLeaveWithTheirLastConnectionOrAtTheNextSweep() {
        ConnectionLimits limits = ConnectionLimits.builder().maxConnectionsPerClient(5).newConnectionRate(10, 5)
                .nanoClock(clock).build();
        limits.tryOpen("a");
        limits.tryOpen("b");
        limits.tryOpen("b");
        clock.advance(Duration.ofSeconds(1));
        limits.close("a");
        assertThat(limits.trackedClients()).isEqualTo(1);
        limits.close("b");
        limits.close("b");
        assertThat(limits.trackedClients()).isZero();

        for (int i = 0; i < 6; i++) {
            limits.tryOpen("c"); // the last one is too fast
        }
        for (int i = 0; i < 5; i++) {
            limits.close("c");
        }
        assertThat(limits.trackedClients()).as("bucket still refilling").isEqualTo(1);
        assertThat(limits.evictIdle()).isZero();
        clock.advance(Duration.ofMillis(500));
        assertThat(limits.evictIdle()).isEqualTo(1);
        assertThat(limits.trackedClients()).isZero();
        assertThat(limits.openConnections()).isZero();
    }

    @Test
    void closeWithoutOpenFailsLoudly() {
        ConnectionLimits limits = ConnectionLimits.builder().maxConnectionsPerClient(1).build();
        limits.tryOpen("a");
        assertThatThrownBy(() -> limits.close("b")).isInstanceOf(IllegalStateException.class)
                .hasMessage("close for b without an accepted tryOpen");
    }

    @Test
    void theLastAllowedRequestClosesTheConnectionAndAnyBeyondItIsRefused() {
        ConnectionLimits limits = ConnectionLimits.builder().maxRequestsPerConnection(3).build();
        RequestBudget budget = limits.requestBudget();
        assertThat(budget.onRequest()).isEqualTo(Verdict.SERVE);
        assertThat(budget.onRequest()).isEqualTo(Verdict.SERVE);
        assertThat(budget.onRequest()).isEqualTo(Verdict.SERVE_AND_CLOSE);
        assertThat(budget.onRequest()).isEqualTo(Verdict.REFUSE);
        assertThat(limits.requestBudget().onRequest()).as("each connection has its own").isEqualTo(Verdict.SERVE);

        RequestBudget unlimited = ConnectionLimits.builder().build().requestBudget();
        for (int i = 0; i < 1000; i++) {
            assertThat(unlimited.onRequest()).isEqualTo(Verdict.SERVE);
        }
    }

    @Test
    void invalidSettingsNameTheField() {
        assertThatThrownBy(() -> ConnectionLimits.builder().maxConnections(0).build())
                .hasMessage("max_connections must be >= 1, was 0");
        assertThatThrownBy(() -> ConnectionLimits.builder().maxConnectionsPerClient(0).build())
                .hasMessage("max_connections_per_client must be >= 1, was 0");
        assertThatThrownBy(() -> ConnectionLimits.builder().newConnectionRate(-1, 1).build())
                .hasMessage("new_connections_per_second must be in [0, 1e9], was -1.0");
        assertThatThrownBy(() -> ConnectionLimits.builder().newConnectionRate(1, 0).build())
                .hasMessage("new_connection_burst must be >= 1, was 0");
        assertThatThrownBy(() -> ConnectionLimits.builder().maxRequestsPerConnection(0).build())
                .hasMessage("max_requests_per_connection must be >= 1, was 0");
    }

    @Test
    void concurrentOpensAndClosesKeepEveryCapAndLeaveNothingBehind() throws Exception {
        int perClient = 3;
        ConnectionLimits limits = ConnectionLimits.builder().maxConnections(20).maxConnectionsPerClient(perClient)
                .newConnectionRate(1e6, 1000).build();
        String[] clients = {"a", "b", "c", "d"};
        ConcurrentHashMap<String, AtomicInteger> open = new ConcurrentHashMap<>();
        for (String c : clients) {
            open.put(c, new AtomicInteger());
        }
        AtomicInteger total = new AtomicInteger();
        AtomicReference<String> broken = new AtomicReference<>();
        AtomicInteger accepted = new AtomicInteger();
        int threads = 6;
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < 100_000; i++) {
                        String c = clients[(i + id) % clients.length];
                        if (limits.tryOpen(c) == ACCEPTED) {
                            accepted.incrementAndGet();
                            int mine = open.get(c).incrementAndGet();
                            int all2 = total.incrementAndGet();
                            if (mine > perClient || all2 > 20) {
                                broken.compareAndSet(null, c + " had " + mine + ", total " + all2);
                            }
                            open.get(c).decrementAndGet();
                            total.decrementAndGet();
                            limits.close(c);
                        }
                        if (i % 1000 == 0) {
                            limits.evictIdle();
                        }
                    }
                } catch (Exception e) {
                    broken.compareAndSet(null, e.toString());
                }
            });
            th.start();
            all.add(th);
        }
        for (Thread th : all) {
            th.join();
        }
        assertThat(broken.get()).isNull();
        assertThat(accepted.get()).isGreaterThan(100_000);
        assertThat(limits.openConnections()).isZero();
        for (String c : clients) {
            assertThat(limits.openConnections(c)).isZero();
        }
        // An entry goes once its client has no connection and its new-connection bucket has refilled (at most
        // burst / rate = 1 ms after the last open here).
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(2)).until(() -> {
            limits.evictIdle();
            return limits.trackedClients() == 0;
        });
    }
}
