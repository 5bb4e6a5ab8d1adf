package io.portcullis.observe;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Structured JSON access log, one line per exchange. Event loops only {@link #log offer} an entry to a bounded
 * lock-free queue (never blocking: when the writer falls behind, entries are dropped and counted); one daemon
 * thread formats and writes them. The writer is never woken by an entry: it drains the queue, then sleeps
 * {@link #IDLE_PARK_NANOS}, so a busy gateway pays no lock or thread wake-up per request, and a line reaches the
 * file at most that much later. {@link #disabled()} is the null object used when the log is off.
 */
public class AccessLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);
    private static final int CAPACITY = 65_536;
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final Queue<AccessLogEntry> queue;
    /** Entries queued and not yet taken by the writer: the bound, kept beside the unbounded queue. */
    private final AtomicInteger queued = new AtomicInteger();
    private final BufferedWriter out;
    private final Thread writer;
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closed;

    private AccessLog(BufferedWriter out) {
        this.out = out;
        this.queue = out == null ? null : new ConcurrentLinkedQueue<>();
        this.writer = out == null ? null : Thread.ofPlatform().daemon().name("portcullis-access-log")
                .start(this::drainLoop);
    }

    /** A log that drops everything, for {@code access_log.enabled: false}. */
    public static AccessLog disabled() {
        return new AccessLog(null);
    }

    /** Opens {@code "stdout"} or appends to a file. */
    public static AccessLog open(String path) throws IOException {
        OutputStream os = "stdout".equals(path)
                ? new java.io.FileOutputStream(java.io.FileDescriptor.out)
                : Files.newOutputStream(Path.of(path), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return new AccessLog(new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 64 * 1024));
    }

    /** False for the null object: callers skip building entries nobody will write. */
    public boolean enabled() {
        return queue != null;
    }

    /** Called on event loops: never blocks. */
    public void log(AccessLogEntry entry) {
        if (queue == null) {
            return;
        }
        if (queued.incrementAndGet() > CAPACITY) {
            queued.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        queue.offer(entry);
    }

    private void drainLoop() {
        List<AccessLogEntry> batch = new ArrayList<>(256);
        StringBuilder sb = new StringBuilder(512);
        long reportedDrops = 0;
        try {
            while (!closed || !queue.isEmpty()) {
                AccessLogEntry next;
                while (batch.size() < 256 && (next = queue.poll()) != null) {
                    batch.add(next);
                }
                if (batch.isEmpty()) {
                    LockSupport.parkNanos(IDLE_PARK_NANOS);
                    continue;
                }
                queued.addAndGet(-batch.size());
                for (AccessLogEntry e : batch) {
                    sb.setLength(0);
                    format(e, sb);
                    out.append(sb);
                }
                batch.clear();
                out.flush();
                long drops = dropped.get();
                if (drops > reportedDrops) {
                    LOG.warn("access log fell behind: {} entries dropped so far", drops);
                    reportedDrops = drops;
                }
            }
        } catch (IOException e) {
            LOG.error("access log writer stopped: {}", e.toString());
        }
    }

    static void format(AccessLogEntry e, StringBuilder sb) {
        sb.append("{\"ts\":\"").append(Instant.ofEpochMilli(e.startEpochMillis())).append('"');
        field(sb, "request_id", e.requestId());
        field(sb, "client", e.clientAddress());
        field(sb, "method", e.method());
        field(sb, "path", e.path());
        field(sb, "protocol", e.protocol());
        field(sb, "host", e.host());
        field(sb, "route", e.route());
        field(sb, "upstream", e.upstream());
        sb.append(",\"status\":").append(e.status());
        field(sb, "error", e.error());
        sb.append(",\"bytes_in\":").append(e.bytesIn());
        sb.append(",\"bytes_out\":").append(e.bytesOut());
        sb.append(",\"duration_ms\":").append(e.durationNanos() / 1000 / 1000.0);
        if (e.upstreamNanos() >= 0) {
            sb.append(",\"upstream_ms\":").append(e.upstreamNanos() / 1000 / 1000.0);
        }
        sb.append("}\n");
    }

    private static void field(StringBuilder sb, String name, String value) {
        if (value == null) {
            return;
        }
        sb.append(",\"").append(name).append("\":\"");
        Json.escape(value, sb);
        sb.append('"');
    }

    @Override
    public void close() {
        closed = true;
        if (writer != null) {
            try {
                writer.join(2000);
                out.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                LOG.warn("access log flush failed: {}", e.toString());
            }
        }
    }
}
