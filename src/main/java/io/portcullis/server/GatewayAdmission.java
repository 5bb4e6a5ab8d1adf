package io.portcullis.server;

import io.portcullis.config.OverloadConfig;
import io.portcullis.ratelimit.RateLimitRuntime;
import io.portcullis.ratelimit.overload.PriorityAdmission;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's overload admission across reloads: one controller (with its learnt limit and queues) lives while
 * the classes and limits stay equal; a reload that changes them, or turns overload on or off, gets a new one, installed
 * only once the new snapshot is published. Requests admitted by the old one give their slots back to it. Who earns
 * which class (roles, consumers, header) lives in each snapshot's filters, so changing it keeps the controller.
 */
final class GatewayAdmission {
    private final ScheduledExecutorService control;
    private OverloadConfig shape;
    private PriorityAdmission admission;
    private ScheduledFuture<?> expiry;

    GatewayAdmission(ScheduledExecutorService control) {
        this.control = control;
    }

    /** The controller for {@code overload} (null: off): the current one when its shape did not change. */
    synchronized PriorityAdmission prepare(OverloadConfig overload) {
        if (Objects.equals(shapeOf(overload), shape)) {
            return admission;
        }
        return overload == null ? null : RateLimitRuntime.admission(overload);
    }

    /** Makes {@code next}, from {@link #prepare}, the controller in use; the one it replaces stops expiring waiters. */
    synchronized void install(OverloadConfig overload, PriorityAdmission next) {
        if (next == admission) {
            return;
        }
        if (expiry != null) {
            expiry.cancel(false);
            expiry = null;
        }
        shape = shapeOf(overload);
        admission = next;
        if (next != null) {
            expiry = control.scheduleWithFixedDelay(next::expireOverdue, 20, 20, TimeUnit.MILLISECONDS);
        }
    }

    /** What the controller is built from: the classes and limits, without who earns which class. */
    private static OverloadConfig shapeOf(OverloadConfig o) {
        return o == null ? null : new OverloadConfig(o.classes(), Map.of(), Map.of(), null, o.initialLimit(),
                o.minLimit(), o.maxLimit(), o.maxQueuePerClass(), o.maxQueueTime(), o.retryAfter());
    }
}
