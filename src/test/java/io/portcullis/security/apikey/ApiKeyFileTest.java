package io.portcullis.security.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.portcullis.security.files.FileFormatException;
import io.portcullis.security.files.ReloadListener;
import io.portcullis.security.files.ReloadingFile;
import io.portcullis.testing.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApiKeyFileTest {
    private static final String H1 = ApiKeys.hash("key-one");
    private static final String H2 = ApiKeys.hash("key-two");
    private static final String H3 = ApiKeys.hash("key-three");

    @TempDir
    Path dir;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() throws InterruptedException {
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void readsConsumersRolesAndKeys() throws Exception {
        ApiKeyStore store = ApiKeyFile.parse(dir.resolve("keys.yaml"), """
                consumers:
                  - name: billing
                    roles: [orders.read, orders.write]
                    keys:
                      - %s
                      - "%s"
                  - name: "reports@example.com"
                    keys: [%s]
                  - name: 42
                """.formatted(H1, H2, H3));
        assertThat(store.consumers()).extracting(ApiConsumer::name)
                .containsExactly("billing", "reports@example.com", "42");
        assertThat(store.lookup("key-one").roles()).containsExactly("orders.read", "orders.write");
        assertThat(store.lookup("key-two").name()).isEqualTo("billing");
        assertThat(store.lookup("key-three").name()).isEqualTo("reports@example.com");
        assertThat(store.consumer("42").keys()).isEmpty();
    }

    @Test
    void emptyFilesAreEmptyStores() throws Exception {
        Path file = dir.resolve("keys.yaml");
        assertThat(ApiKeyFile.parse(file, "").isEmpty()).isTrue();
        assertThat(ApiKeyFile.parse(file, "# no keys yet\n").isEmpty()).isTrue();
        assertThat(ApiKeyFile.parse(file, "consumers:\n").isEmpty()).isTrue();
        assertThat(ApiKeyFile.parse(file, "consumers: []\n").isEmpty()).isTrue();
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "'consumers:\\n  - name: a\\n    key: [H1]\\n'| 3| unknown field \"key\" (expected name, roles, keys)",
            "'users: []\\n'| 1| unknown field \"users\" (the only one is consumers)",
            "'consumers:\\n  - roles: [x]\\n'| 2| a consumer has no name",
            "'consumers:\\n  - name: a\\n  - name: a\\n'| 3| consumer a is already defined on line 2",
            "'consumers:\\n  - name: a\\n    keys:\\n      - H1\\n  - name: b\\n    keys:\\n      - H1\\n'| 7|"
                    + " H1 is a key of both a and b; a key must belong to one consumer",
            "'consumers:\\n  - name: a\\n    keys: [H1, H1]\\n'| 3| H1 is listed twice for consumer a",
            "'consumers:\\n  - name: a\\n    keys:\\n      - pk_oops\\n'| 4| \"pk_oops\" is not a key hash",
            "'consumers:\\n  - name: a b\\n'| 2| consumer name must be 1 to 128 of",
            "'consumers:\\n  - name: a\\n    roles: [ok, \"no way\"]\\n'| 3| role of consumer a must be",
            "'consumers:\\n  - name: a\\n    roles: x\\n'| 3| roles must be a list",
            "'consumers:\\n  - name: [a]\\n'| 2| name must be a string",
            "'consumers: {a: 1}\\n'| 1| consumers must be a list",
            "'consumers:\\n  - a\\n'| 2| each consumer must be a mapping",
            "'consumers:\\n  - name: a\\n    name: b\\n'| 3| name is given twice",
            "'- a\\n'| 1| the file must be a mapping with a consumers list",
            "'consumers: [\\n'| 2| invalid YAML: ",
            "'consumers: []\\n---\\nconsumers: []\\n'| 3| only one YAML document is allowed",
    })
    void malformedFilesNameFileLineAndReason(String content, int line, String reason) {
        Path file = dir.resolve("keys.yaml");
        String yaml = content.replace("\\n", "\n").replace("H1", H1);
        assertThatThrownBy(() -> ApiKeyFile.parse(file, yaml))
                .isInstanceOf(FileFormatException.class)
                .hasMessageStartingWith(file + ":" + line + ": ")
                .hasMessageContaining(reason.replace("H1", H1));
    }

    @Test
    void writeThenReadGivesTheSameStore() throws Exception {
        Path file = dir.resolve("keys.yaml");
        ApiKeyStore store = ApiKeyStore.of(List.of(
                new ApiConsumer("billing", Set.of("orders.read"), List.of(H1, H2)),
                new ApiConsumer("no-keys-yet", Set.of(), List.of())));
        ApiKeyFile.write(file, store);
        ApiKeyStore read = ApiKeyFile.read(file);
        assertThat(read.consumers()).isEqualTo(store.consumers());
        assertThat(Files.readString(file)).doesNotContain("key-one").contains(H1);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        ApiKeyFile.write(file, ApiKeyStore.empty());
        assertThat(ApiKeyFile.read(file).isEmpty()).isTrue();
        assertThat(Files.getPosixFilePermissions(file)).as("kept")
                .isEqualTo(PosixFilePermissions.fromString("rw-r-----"));
        try (var stream = Files.list(dir)) {
            assertThat(stream).as("no temporary file left behind").containsExactly(file);
        }
    }

    @Test
    void aChangedFileIsReloadedAndABrokenOneRefused() throws Exception {
        Path file = dir.resolve("keys.yaml");
        String key = ApiKeys.generate(new SecureRandom());
        ApiKeyFile.write(file, ApiKeyStore.of(List.of(new ApiConsumer("a", Set.of(), List.of(H1)))));
        try (LogCapture log = new LogCapture(ReloadingFile.class);
                ApiKeyFile keys = ApiKeyFile.start(file, Duration.ofMillis(50), executor, false,
                        ReloadListener.none())) {
            assertThat(keys.lookup("key-one").name()).isEqualTo("a");
            assertThat(keys.lookup(key)).isNull();

            ApiKeyFile.write(file, ApiKeyStore.of(List.of(
                    new ApiConsumer("a", Set.of(), List.of(H1, ApiKeys.hash(key))))));
            await().atMost(Duration.ofSeconds(5)).until(() -> keys.lookup(key) != null);

            ApiKeyStore good = keys.current();
            Files.writeString(file, "consumers:\n  - name: a\n    keys: [" + H1 + ", nope]\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> log.lines().stream().anyMatch(l -> l.startsWith("WARN")));
            assertThat(keys.current()).isSameAs(good);
            assertThat(log.lines()).contains("WARN api keys " + file + ":3: change refused, keeping the one in use: "
                    + "\"nope\" is not a key hash: expected sha256: followed by 64 hex digits"
                    + " (portcullis keys hash prints one)");
        }
    }
}
