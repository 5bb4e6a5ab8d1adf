package io.portcullis.upstream.health;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.IntSupplier;

/**
 * Records a checker's transitions, with whether each came on one of the group's loops and what the backend had
 * seen at that moment (the next check cannot start before the listener returns, so that count is exact).
 */
final class Transitions implements HealthChecker.Listener {

    record Transition(int index, boolean healthy, String reason, boolean onLoop, int seen) {
    }

    private final EventLoopGroup group;
    private final IntSupplier seen;
    private final ConcurrentLinkedQueue<Transition> all = new ConcurrentLinkedQueue<>();

    Transitions(EventLoopGroup group, IntSupplier seen) {
        this.group = group;
        this.seen = seen;
    }

    Transitions(EventLoopGroup group) {
        this(group, () -> -1);
    }

    @Override
    public void onHealthChanged(int targetIndex, boolean healthy, String reason) {
        boolean onLoop = false;
        for (EventExecutor e : group) {
            onLoop |= e.inEventLoop();
        }
        all.add(new Transition(targetIndex, healthy, reason, onLoop, seen.getAsInt()));
    }

    List<Transition> all() {
        return List.copyOf(all);
    }

    int size() {
        return all.size();
    }
}
