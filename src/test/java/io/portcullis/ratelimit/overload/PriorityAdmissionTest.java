package io.portcullis.ratelimit.overload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PriorityAdmissionTest {
    private static final int LOW = 0;
    private static final int MID = 1;
    private static final int HIGH = 2;

    private final ManualClock clock = new ManualClock();
    private final List<String> log = new ArrayList<>();
    private final Recorder loop = new Recorder(log);
    private final Map<String, Permit> permits = new HashMap<>();

    private PriorityAdmission.Builder builder(int limit) {
        return PriorityAdmission.builder(ConcurrencyLimit.fixed(limit)).classes(3).nanoClock(clock)
                .maxQueueTime(Duration.ofMillis(500)).retryAfter(Duration.ofSeconds(2));
    }

    private Permit ask(PriorityAdmission admission, String name, int priority) {
        Permit p = admission.tryAcquire(priority, loop, loop.callback(name));
        permits.put(name, p);
        return p;
    }

    private void release(PriorityAdmission admission, String name) {
        admission.release(permits.get(name), 1_000_000, true);
        loop.runAll();
    }

    @Test
    void underTheLimitTheCallbackRunsBeforeTryAcquireReturns() {
        PriorityAdmission admission = builder(2).build();
        Permit a = ask(admission, "a", LOW);
        assertThat(log).containsExactly("a admitted");
        assertThat(a.isAdmitted()).isTrue();
        ask(admission, "b", HIGH);
        Permit c = ask(admission, "c", HIGH);
        assertThat(log).containsExactly("a admitted", "b admitted");
        assertThat(c.isQueued()).isTrue();
        assertThat(admission.inFlight()).isEqualTo(2);
        assertThat(admission.queued()).isEqualTo(1);
        assertThat(loop.pending()).isZero();
    }

    @Test
    void waitersAreAdmittedHighestClassFirstAndInArrivalOrderWithinAClass() {
        PriorityAdmission admission = builder(1).build();
        ask(admission, "busy", LOW);
        for (String[] w : new String[][] {{"l1", "0"}, {"h1", "2"}, {"m1", "1"}, {"h2", "2"}, {"l2", "0"}}) {
            ask(admission, w[0], Integer.parseInt(w[1]));
        }
        log.clear();
        for (String done : List.of("busy", "h1", "h2", "m1", "l1")) {
            release(admission, done);
        }
        assertThat(log).containsExactly("h1 admitted", "h2 admitted", "m1 admitted", "l1 admitted", "l2 admitted");
        assertThat(admission.queued()).isZero();
    }

    @Test
    void aFullRoomShedsTheOldestOfTheLowestClassAndRefusesArrivalsThatRankNoHigher() {
        PriorityAdmission admission = builder(1).maxQueued(3).build();
        ask(admission, "busy", HIGH);
        ask(admission, "l1", LOW);
        ask(admission, "l2", LOW);
        ask(admission, "m1", MID);
        ask(admission, "h1", HIGH); // full: displaces l1, the oldest low
        ask(admission, "h2", HIGH); // full: displaces l2
        ask(admission, "m2", MID); // full of mid and high: nobody lower to displace
        ask(admission, "l3", LOW);
        assertThat(log).containsExactly("busy admitted", "m2 QUEUE_FULL 2s", "l3 QUEUE_FULL 2s");
        loop.runAll();
        assertThat(log).containsExactly("busy admitted", "m2 QUEUE_FULL 2s", "l3 QUEUE_FULL 2s",
                "l1 DISPLACED 2s", "l2 DISPLACED 2s");
        assertThat(admission.queued()).isEqualTo(3);
    }

    @Test
    void aClassAtItsCapRefusesItsOwnArrivalsEvenWithRoomElsewhere() {
        PriorityAdmission admission = builder(1).maxQueuedPerClass(1).build();
        ask(admission, "busy", HIGH);
        ask(admission, "h1", HIGH);
        ask(admission, "h2", HIGH);
        ask(admission, "l1", LOW);
        assertThat(log).containsExactly("busy admitted", "h2 QUEUE_FULL 2s");
        assertThat(admission.queued()).isEqualTo(2);
    }

    @Test
    void aClassWithoutQueueIsRefusedAtTheLimitButAdmittedBelowIt() {
        PriorityAdmission admission = builder(1).maxQueuedPerClass(0).build();
        ask(admission, "a", LOW);
        ask(admission, "b", HIGH);
        release(admission, "a");
        ask(admission, "c", LOW);
        assertThat(log).containsExactly("a admitted", "b QUEUE_FULL 2s", "c admitted");
    }

    @Test
    void waitersTimeOutAfterTheLongestWait() {
        PriorityAdmission admission = builder(1).build();
        ask(admission, "busy", LOW);
        ask(admission, "old", HIGH);
        clock.advance(Duration.ofMillis(300));
        ask(admission, "young", LOW);
        clock.advance(Duration.ofMillis(199));
        assertThat(admission.expireOverdue()).isZero();
        clock.advance(Duration.ofMillis(1));
        assertThat(admission.expireOverdue()).isEqualTo(1);
        loop.runAll();
        assertThat(log).containsExactly("busy admitted", "old QUEUE_TIMEOUT 2s");
        clock.advance(Duration.ofMillis(300));
        // Nobody swept: the release finds "young" overdue and does not admit it.
        release(admission, "busy");
        assertThat(log).containsExactly("busy admitted", "old QUEUE_TIMEOUT 2s", "young QUEUE_TIMEOUT 2s");
        assertThat(admission.inFlight()).isZero();
        assertThat(admission.queued()).isZero();
    }

    @Test
    void aCancelledWaiterIsSkippedAndGetsNoCallback() {
        PriorityAdmission admission = builder(1).build();
        ask(admission, "busy", LOW);
        Permit gone = ask(admission, "gone", HIGH);
        ask(admission, "next", LOW);
        assertThat(admission.cancel(gone)).isTrue();
        assertThat(admission.cancel(gone)).isFalse();
        assertThat(admission.queued()).isEqualTo(1);
        release(admission, "busy");
        assertThat(log).containsExactly("busy admitted", "next admitted");
    }

    @Test
    void cancellingAnAlreadyAdmittedWaiterFailsAndItsSlotIsAbandoned() {
        PriorityAdmission admission = builder(1).build();
        ask(admission, "busy", LOW);
        Permit late = ask(admission, "late", LOW);
        admission.release(permits.get("busy"), 1, true); // admits "late", callback not run yet
        assertThat(admission.cancel(late)).isFalse();
        loop.runAll();
        assertThat(log).containsExactly("busy admitted", "late admitted");
        admission.abandon(late);
        assertThat(admission.inFlight()).isZero();
    }

    @Test
    void whenTheLimitGrowsOneReleaseAdmitsSeveralWaitersInPriorityOrder() {
        int[] current = {1};
        ConcurrencyLimit settable = new ConcurrencyLimit() {
            @Override
            public int limit() {
                return current[0];
            }

            @Override
            public void onSample(long rttNanos, int inFlight, boolean dropped) {
                current[0] = 3;
            }
        };
        PriorityAdmission admission = PriorityAdmission.builder(settable).classes(3).nanoClock(clock).build();
        ask(admission, "busy", LOW);
        ask(admission, "low", LOW);
        ask(admission, "mid", MID);
        ask(admission, "high", HIGH);
        ask(admission, "low2", LOW);
        release(admission, "busy");
        assertThat(log).containsExactly("busy admitted", "high admitted", "mid admitted", "low admitted");
        assertThat(admission.inFlight()).isEqualTo(3);
        assertThat(admission.queued()).isEqualTo(1);
    }

    @Test
    void releasingTwiceOrReleasingAWaiterFailsLoudly() {
        PriorityAdmission admission = builder(1).build();
        Permit a = ask(admission, "a", LOW);
        Permit b = ask(admission, "b", LOW);
        assertThatThrownBy(() -> admission.release(b, 1, true)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not admitted");
        admission.release(a, 1, true);
        assertThatThrownBy(() -> admission.release(a, 1, true)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> admission.abandon(a)).isInstanceOf(IllegalStateException.class);
        assertThat(admission.inFlight()).isEqualTo(1); // b
    }

    @Test
    void anAdmissionWhoseLoopIsGoneGivesItsSlotToTheNext() {
        PriorityAdmission admission = builder(1).build();
        ask(admission, "busy", LOW);
        admission.tryAcquire(HIGH, task -> {
            throw new java.util.concurrent.RejectedExecutionException("shut down");
        }, loop.callback("orphan"));
        ask(admission, "next", LOW);
        release(admission, "busy");
        assertThat(log).containsExactly("busy admitted", "next admitted");
        assertThat(admission.inFlight()).isEqualTo(1);
    }

    @Test
    void releaseFeedsTheLimitWithTheInFlightCountAndTheDropFlag() {
        List<String> samples = new ArrayList<>();
        ConcurrencyLimit spy = new ConcurrencyLimit() {
            @Override
            public int limit() {
                return 5;
            }

            @Override
            public void onSample(long rttNanos, int inFlight, boolean dropped) {
                samples.add(rttNanos + "/" + inFlight + "/" + dropped);
            }
        };
        PriorityAdmission admission = PriorityAdmission.builder(spy).build();
        Permit a = admission.tryAcquire(0, loop, loop.callback("a"));
        Permit b = admission.tryAcquire(1, loop, loop.callback("b"));
        admission.release(a, 7, true);
        admission.release(b, 9, false);
        Permit c = admission.tryAcquire(1, loop, loop.callback("c"));
        admission.abandon(c);
        assertThat(samples).containsExactly("7/2/false", "9/1/true");
    }

    @Test
    void invalidArgumentsNameTheField() {
        PriorityAdmission admission = builder(1).build();
        assertThatThrownBy(() -> admission.tryAcquire(3, loop, loop.callback("x")))
                .hasMessage("priority must be in [0, 2], was 3");
        assertThatThrownBy(() -> builder(1).classes(0).build()).hasMessage("classes must be in [1, 64], was 0");
        assertThatThrownBy(() -> builder(1).maxQueuedPerClass(-1).build())
                .hasMessage("max_queued_per_class must be >= 0, was -1");
        assertThatThrownBy(() -> builder(1).maxQueued(-2).build()).hasMessage("max_queued must be >= 0, was -2");
        assertThatThrownBy(() -> builder(1).maxQueueTime(Duration.ZERO).build())
                .hasMessage("max_queue_time must be in (0, 1d], was PT0S");
        assertThatThrownBy(() -> admission.release(admission.tryAcquire(0, loop, loop.callback("y")), -1, true))
                .hasMessage("rttNanos must be >= 0, was -1");
    }
}
