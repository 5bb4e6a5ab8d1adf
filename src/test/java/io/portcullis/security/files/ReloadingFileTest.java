package io.portcullis.security.files;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The timing rules of a reload, driven by hand: an {@link EmbeddedChannel}'s event loop is the executor and its
 * clock is frozen, so the test decides when the periodic check and the settle check run.
 */
class ReloadingFileTest {
    private static final Duration INTERVAL = Duration.ofSeconds(1);

    @TempDir
    Path dir;
    private final EmbeddedChannel loop = new EmbeddedChannel();
    private final List<String> published = new ArrayList<>();
    private ReloadingFile<String> file;

    @AfterEach
    void stop() {
        if (file != null) {
            file.close();
        }
        loop.finishAndReleaseAll();
    }

    /** The parser refuses empty content, so "was an empty file ever used" is visible. */
    private static String parse(Path file, String content) throws FileFormatException {
        if (content.isEmpty()) {
            throw new FileFormatException(file, 0, "empty");
        }
        return content.strip();
    }

    private void start(Path path) throws FileFormatException {
        loop.freezeTime();
        ScheduledExecutorService executor = loop.eventLoop();
        file = ReloadingFile.start("test", path, ReloadingFileTest::parse, INTERVAL, executor, false,
                new ReloadListener<>() {
                    @Override
                    public void reloaded(Path f, String value) {
                        published.add(value);
                    }

                    @Override
                    public void refused(Path f, FileFormatException problem) {
                        published.add("refused: " + problem.reason());
                    }
                });
    }

    private void advance(long millis) {
        loop.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        loop.runScheduledPendingTasks();
    }

    @Test
    void aChangeIsUsedOnlyOnceItHasSettled() throws Exception {
        Path path = Files.writeString(dir.resolve("f.txt"), "one");
        start(path);
        assertThat(file.current()).isEqualTo("one");

        Files.writeString(path, ""); // a writer that truncated and has not written yet
        advance(INTERVAL.toMillis());
        assertThat(published).as("seen once: waiting").isEmpty();

        Files.writeString(path, "two"); // and now it has
        advance(ReloadingFile.SETTLE_MILLIS);
        assertThat(published).as("different from what was seen: waiting again").isEmpty();
        advance(ReloadingFile.SETTLE_MILLIS);
        assertThat(published).containsExactly("two");
        assertThat(file.current()).isEqualTo("two");
    }

    @Test
    void aStableBrokenFileIsRefusedOnceAndTheValueStays() throws Exception {
        Path path = Files.writeString(dir.resolve("f.txt"), "one");
        start(path);
        Files.writeString(path, "");
        advance(INTERVAL.toMillis());
        advance(ReloadingFile.SETTLE_MILLIS);
        assertThat(published).containsExactly("refused: empty");
        for (int i = 0; i < 5; i++) {
            advance(INTERVAL.toMillis());
        }
        assertThat(published).containsExactly("refused: empty");
        assertThat(file.current()).isEqualTo("one");
    }

    @Test
    void checkNowUsesAChangeAtOnce() throws Exception {
        Path path = Files.writeString(dir.resolve("f.txt"), "one");
        start(path);
        Files.writeString(path, "two");
        var done = file.checkNow();
        loop.runPendingTasks();
        assertThat(done.get()).isTrue();
        assertThat(file.current()).isEqualTo("two");
        assertThat(file.checkNow().isDone()).as("runs on the executor").isFalse();
    }
}
