package io.portcullis.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Entries from several threads all reach the file, soon and on close, each as one JSON line. */
class AccessLogTest {
    @TempDir
    Path dir;

    private static AccessLogEntry entry(int thread, int i) {
        return new AccessLogEntry(0, "req-" + thread + "-" + i, "192.0.2.1", "GET", "/p\"" + i, "HTTP/1.1", "h",
                "r", "127.0.0.1:1", 200, null, 0, 10, 1_000_000, -1);
    }

    @Test
    void everyEntryFromEveryThreadIsWrittenOnceAndSoon() throws Exception {
        Path file = dir.resolve("access.log");
        AccessLog log = AccessLog.open(file.toString());
        ExecutorService loops = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int thread = t;
                done.add(loops.submit(() -> {
                    for (int i = 0; i < 5_000; i++) {
                        log.log(entry(thread, i));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(10, TimeUnit.SECONDS);
            }
            // Written while the log stays open: the writer drains on its own, without being woken per entry.
            await().atMost(Duration.ofSeconds(5)).until(() -> lines(file).size() == 10_000);
            log.log(entry(2, 0));
        } finally {
            loops.shutdown();
            log.close();
        }
        List<String> lines = lines(file);
        assertThat(lines).hasSize(10_001).doesNotHaveDuplicates();
        assertThat(lines).allMatch(l -> l.startsWith("{\"ts\":") && l.endsWith("}"));
        assertThat(lines).anyMatch(l -> l.contains("\"request_id\":\"req-2-0\"")); // written on close
        assertThat(lines.get(0)).contains("\"path\":\"/p\\\"");
    }

    private static List<String> lines(Path file) throws Exception {
        return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
    }
}
