package io.portcullis.ratelimit.redis;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether Redis is usable for decisions, and the one log line per change: a WARN when shared limits switch to their
 * local fallback, an INFO when they are enforced through Redis again. Without this, an outage would log once per
 * request.
 *
 * <p>Redis is available when the connection is open and not stalled. The connection state is Lettuce's (it notices a
 * closed socket at once, and reconnects by itself); a stall is a connection that stays open while Redis does not
 * answer (a paused process, a black-holed network), which only the heartbeat can notice: it times out and marks the
 * link stalled, and only an answer to a later heartbeat clears it (a late reply to a command sent before the stall
 * would otherwise end it at once, and the next timeout start it again: two log lines per late reply). A decision that
 * merely times out does not mark a stall, so one slow reply does not flip every limit to its fallback (it answers
 * with its fail mode instead).
 *
 * <p>While the first connection is being made, decisions fall back silently; only a failed attempt logs. Nothing
 * logs after {@link #close}.
 */
final class Availability {
    private static final Logger LOG = LoggerFactory.getLogger(Availability.class);
    private static final int STARTING = 0;
    private static final int UP = 1;
    private static final int DOWN = 2;
    private static final int CLOSED = 3;

    private final String target;
    private final BooleanSupplier connectionOpen;
    private final IntSupplier knownInstances;
    private final AtomicInteger reported = new AtomicInteger(STARTING);
    private volatile boolean stalled;
    /** The heartbeat whose timeout marked the stall. */
    private volatile long stalledBeat;

    Availability(String target, BooleanSupplier connectionOpen, IntSupplier knownInstances) {
        this.target = target;
        this.connectionOpen = connectionOpen;
        this.knownInstances = knownInstances;
    }

    /** Read once per shared decision: a few volatile reads and, when the state changed, one log line. */
    boolean available() {
        boolean now = !stalled && connectionOpen.getAsBoolean();
        if (now != (reported.get() == UP)) {
            report(now, null);
        }
        return now;
    }

    /** Redis answered a decision: if it was down, it is back (logged here, rather than at the next decision). */
    void answered() {
        if (reported.get() != UP) {
            available();
        }
    }

    /** Heartbeat number {@code beat} was answered: a stall marked by an earlier one is over. */
    void heartbeatAnswered(long beat) {
        if (stalled && beat > stalledBeat) {
            stalled = false;
        }
        answered();
    }

    /** Heartbeat number {@code beat} got no answer in time on an open connection. */
    void stalled(long beat, Throwable cause) {
        if (!stalled || beat > stalledBeat) {
            stalledBeat = beat;
            stalled = true;
        }
        report(false, cause);
    }

    /** The connection changed state, or a command or connection attempt failed: re-evaluate, log with the cause. */
    void check(Throwable cause) {
        report(!stalled && connectionOpen.getAsBoolean(), cause);
    }

    void close() {
        reported.set(CLOSED);
    }

    private void report(boolean now, Throwable cause) {
        while (true) {
            int was = reported.get();
            if (was == CLOSED || was == (now ? UP : DOWN) || (!now && was == STARTING && cause == null)) {
                return;
            }
            if (reported.compareAndSet(was, now ? UP : DOWN)) {
                if (now) {
                    LOG.info("Redis {} is {}: shared rate limits are enforced through it", target,
                            was == STARTING ? "connected" : "available again");
                } else {
                    LOG.warn("Redis {} is unavailable ({}): shared rate limits fall back to local limits of their"
                            + " limit ÷ {} known instances until it is back", target,
                            cause == null ? "connection closed" : cause.toString(), knownInstances.getAsInt());
                }
                return;
            }
        }
    }
}
