package io.portcullis.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples a process's resident set size ({@code VmRSS} of {@code /proc/PID/status}, Linux only) on a timer while a
 * test drives traffic through it, keeping the peak. For logging how much memory the gateway process really uses
 * beyond its heap bound (direct buffers, JIT, TLS); the heap bound itself is what fails a test.
 */
public final class RssSampler implements AutoCloseable {
    private final long pid;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rss-sampler");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong peakKib = new AtomicLong();
    private final AtomicInteger samples = new AtomicInteger();

    private RssSampler(long pid) {
        this.pid = pid;
    }

    /** Samples {@code pid} now and then every {@code periodMillis} until closed. */
    public static RssSampler start(long pid, long periodMillis) {
        RssSampler s = new RssSampler(pid);
        s.timer.scheduleAtFixedRate(s::sample, 0, periodMillis, TimeUnit.MILLISECONDS);
        return s;
    }

    /** The resident set of {@code pid} in KiB, or -1 when the process is gone or /proc is not there. */
    public static long rssKib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").trim());
                }
            }
            return -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private void sample() {
        long kib = rssKib(pid);
        if (kib >= 0) {
            samples.incrementAndGet();
            peakKib.accumulateAndGet(kib, Math::max);
        }
    }

    public long peakMib() {
        return peakKib.get() / 1024;
    }

    public int samples() {
        return samples.get();
    }

    /** Stops sampling after one last sample. */
    @Override
    public void close() throws InterruptedException {
        timer.shutdown();
        timer.awaitTermination(5, TimeUnit.SECONDS);
        sample();
    }
}
