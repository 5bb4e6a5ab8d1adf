package io.portcullis.security.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.portcullis.security.files.FileFormatException;
import io.portcullis.security.files.ReloadListener;
import io.portcullis.security.files.ReloadingFile;
import io.portcullis.testing.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real files in a temporary directory, checked by a real executor; waits with Awaitility. */
class IpListFileTest {
    private static final Duration FAST = Duration.ofMillis(50);
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    private final LogCapture log = new LogCapture(ReloadingFile.class);
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final ReloadListener<IpSet> listener = new ReloadListener<>() {
        @Override
        public void reloaded(Path file, IpSet value) {
            events.add("reloaded " + value.blocks());
        }

        @Override
        public void refused(Path file, FileFormatException problem) {
            events.add("refused line " + problem.line());
        }
    };
    private IpListFile list;

    @AfterEach
    void stop() throws InterruptedException {
        if (list != null) {
            list.close();
        }
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
        log.close();
    }

    @Test
    void parsesBlocksCommentsAndBlankLines() throws Exception {
        Path file = write("allow.txt", """
                \uFEFF# office, in a file an editor wrote with a byte-order mark
                10.0.0.0/8

                  192.0.2.7   # the VPN gateway
                2001:db8::/32\r
                """);
        IpSet set = IpListFile.read(file);
        assertThat(Files.readString(file)).startsWith("\uFEFF");
        assertThat(set.blocks()).map(Cidr::toString).containsExactly("10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32");
        assertThat(IpListFile.parse(file, "")).isSameAs(IpSet.empty());
        assertThat(IpListFile.parse(file, "# nothing yet\n\n")).isSameAs(IpSet.empty());
    }

    @Test
    void aBadLineAtStartupNamesFileAndLine() throws Exception {
        Path file = write("deny.txt", "10.0.0.0/8\n# fine\n10.0.0.300\n");
        assertThatThrownBy(() -> IpListFile.start(file, FAST, executor, false, listener))
                .isInstanceOf(FileFormatException.class)
                .hasMessage(file + ":3: \"10.0.0.300\": 10.0.0.300 is not an IPv4 or IPv6 address")
                .satisfies(e -> assertThat(((FileFormatException) e).line()).isEqualTo(3));
        assertThatThrownBy(() -> IpListFile.read(dir.resolve("missing.txt")))
                .isInstanceOf(FileFormatException.class)
                .hasMessageStartingWith(dir.resolve("missing.txt") + ": cannot read (NoSuchFileException");
    }

    @Test
    void aValidChangeIsPickedUpAndABrokenOneRefusedKeepingTheOldSet() throws Exception {
        Path file = write("allow.txt", "10.0.0.0/8\n");
        list = IpListFile.start(file, FAST, executor, false, listener);
        IpSet first = list.current();
        assertThat(list.contains("10.1.1.1")).isTrue();

        replace(file, "10.0.0.0/8\n172.16.0.0/12\n");
        await().atMost(WAIT).until(() -> list.contains("172.16.5.5"));
        assertThat(list.current()).isNotSameAs(first);
        assertThat(log.lines()).contains("INFO ip list " + file + ": reloaded, now [10.0.0.0/8, 172.16.0.0/12]");

        IpSet good = list.current();
        replace(file, "10.0.0.0/8\n172.16.0.0/12\n192.168.0.1/16\n");
        await().atMost(WAIT).until(() -> log.lines().stream().anyMatch(l -> l.startsWith("WARN")));
        assertThat(list.current()).isSameAs(good);
        assertThat(log.lines().stream().filter(l -> l.startsWith("WARN")))
                .containsExactly("WARN ip list " + file + ":3: change refused, keeping the one in use: "
                        + "\"192.168.0.1/16\": host bits are set; the network is 192.168.0.0/16");

        // The same broken content is not tried again: still one WARN after several more checks.
        list.checkNow().get(5, TimeUnit.SECONDS);
        list.checkNow().get(5, TimeUnit.SECONDS);
        assertThat(log.lines().stream().filter(l -> l.startsWith("WARN"))).hasSize(1);

        replace(file, "192.168.0.0/16\n");
        await().atMost(WAIT).until(() -> list.contains("192.168.9.9"));
        assertThat(list.contains("10.1.1.1")).isFalse();
        assertThat(events).containsExactly("reloaded [10.0.0.0/8, 172.16.0.0/12]", "refused line 3",
                "reloaded [192.168.0.0/16]");
    }

    @Test
    void aVanishedFileKeepsTheSetAndItsReturnIsSeen() throws Exception {
        Path file = write("allow.txt", "10.0.0.0/8\n");
        list = IpListFile.start(file, FAST, executor, false, listener);
        IpSet first = list.current();
        Files.delete(file);
        await().atMost(WAIT).until(() -> events.contains("refused line 0"));
        assertThat(list.current()).isSameAs(first);
        assertThat(log.lines()).anyMatch(l -> l.startsWith("WARN ip list " + file
                + ": change refused, keeping the one in use: cannot read (NoSuchFileException"));

        write("allow.txt", "10.0.0.0/8\n");
        await().atMost(WAIT).until(() -> log.lines().contains("INFO ip list " + file + ": back to the content in use"));
        assertThat(list.current()).as("same content: no reload").isSameAs(first);
    }

    @Test
    void aRewriteWithTheSameContentIsNoReload() throws Exception {
        Path file = write("allow.txt", "10.0.0.0/8\n");
        list = IpListFile.start(file, FAST, executor, false, listener);
        IpSet first = list.current();
        replace(file, "10.0.0.0/8\n");
        assertThat(list.checkNow().get(5, TimeUnit.SECONDS)).isFalse();
        assertThat(list.current()).isSameAs(first);
        assertThat(events).isEmpty();
    }

    @Test
    void theWatchSeesAChangeLongBeforeThePeriodicCheck() throws Exception {
        Path file = write("allow.txt", "10.0.0.0/8\n");
        list = IpListFile.start(file, Duration.ofHours(1), executor, true, listener);
        replace(file, "2001:db8::/32\n");
        await().atMost(WAIT).until(() -> list.contains("2001:db8::1"));
    }

    @Test
    void closeStopsChecking() throws Exception {
        Path file = write("allow.txt", "10.0.0.0/8\n");
        list = IpListFile.start(file, FAST, executor, false, listener);
        list.close();
        replace(file, "11.0.0.0/8\n");
        assertThat(list.checkNow().get(5, TimeUnit.SECONDS)).isFalse();
        assertThat(list.contains("10.0.0.1")).isTrue();
        assertThat(events).isEmpty();
    }

    private Path write(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }

    /** As editors and config management do: a new file renamed over the old one. */
    private void replace(Path file, String content) throws Exception {
        Path temporary = Files.writeString(dir.resolve(file.getFileName() + ".tmp"), content);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
