package io.portcullis.ratelimit.overload;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * A stand-in for one event loop in admission tests: tasks handed to it wait until the test {@link #runAll runs}
 * them, and the callbacks it creates write what they were told, in order, to a shared log.
 */
final class Recorder implements Executor {
    private final List<Runnable> tasks = new ArrayList<>();
    private final List<String> log;

    Recorder(List<String> log) {
        this.log = log;
    }

    @Override
    public synchronized void execute(Runnable task) {
        tasks.add(task);
    }

    /** Runs what was handed over so far; how many. */
    int runAll() {
        List<Runnable> now;
        synchronized (this) {
            now = new ArrayList<>(tasks);
            tasks.clear();
        }
        now.forEach(Runnable::run);
        return now.size();
    }

    synchronized int pending() {
        return tasks.size();
    }

    /** A callback that logs {@code name admitted} or {@code name REASON retryAfter}. */
    AdmissionCallback callback(String name) {
        return new AdmissionCallback() {
            @Override
            public void onAdmitted(Permit permit) {
                synchronized (log) {
                    log.add(name + " admitted");
                }
            }

            @Override
            public void onRefused(Permit permit, Refusal reason, Duration retryAfter) {
                synchronized (log) {
                    log.add(name + " " + reason + " " + retryAfter.toSeconds() + "s");
                }
            }
        };
    }
}
