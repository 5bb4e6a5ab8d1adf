package io.portcullis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.security.apikey.ApiConsumer;
import io.portcullis.security.apikey.ApiKeyFile;
import io.portcullis.security.apikey.ApiKeyStore;
import io.portcullis.security.apikey.ApiKeys;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code portcullis keys} through picocli, as the shell runs it, with stdout and stderr captured. */
class KeysCommandTest {
    @TempDir
    Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private String printedKey() {
        String printed = out.toString();
        assertThat(printed).as("the key alone, on one line").matches("pk_[A-Za-z0-9_-]{43}\\R");
        return printed.strip();
    }

    @Test
    void addCreatesTheFileAndThePrintedKeyVerifiesAgainstIt() throws Exception {
        Path file = dir.resolve("keys.yaml");
        assertThat(run("keys", "add", "--consumer", "billing", "--role", "orders.read", "--role", "orders.write",
                "--file", file.toString())).isZero();
        String key = printedKey();
        assertThat(err.toString()).contains("shown only this once").contains("billing").doesNotContain(key);
        assertThat(Files.readString(file)).doesNotContain(key).contains(ApiKeys.hash(key));

        ApiConsumer consumer = ApiKeyFile.read(file).lookup(key);
        assertThat(consumer.name()).isEqualTo("billing");
        assertThat(consumer.roles()).containsExactly("orders.read", "orders.write");
    }

    @Test
    void addingAgainRotatesAndKeepsTheOtherConsumers() throws Exception {
        Path file = dir.resolve("keys.yaml");
        assertThat(run("keys", "add", "--consumer", "reports", "-f", file.toString())).isZero();
        String reports = printedKey();
        assertThat(run("keys", "add", "--consumer", "billing", "--role", "orders.read", "-f", file.toString()))
                .isZero();
        String first = printedKey();
        assertThat(run("keys", "add", "--consumer", "billing", "-f", file.toString())).isZero();
        String second = printedKey();
        assertThat(run("keys", "add", "--consumer", "billing", "--role", "orders.read", "-f", file.toString()))
                .as("the same roles again are fine").isZero();
        String third = printedKey();

        ApiKeyStore store = ApiKeyFile.read(file);
        assertThat(store.consumers()).extracting(ApiConsumer::name).containsExactly("reports", "billing");
        assertThat(store.consumer("billing").keys()).hasSize(3);
        assertThat(store.consumer("billing").roles()).containsExactly("orders.read");
        for (String key : new String[] {first, second, third}) {
            assertThat(store.lookup(key).name()).isEqualTo("billing");
        }
        assertThat(store.lookup(reports).name()).isEqualTo("reports");
        assertThat(err.toString()).contains("3 key hash(es) for billing");
    }

    @Test
    void changingRolesOfAnExistingConsumerIsAUsageError() throws Exception {
        Path file = dir.resolve("keys.yaml");
        assertThat(run("keys", "add", "--consumer", "billing", "--role", "read", "-f", file.toString())).isZero();
        String before = Files.readString(file);
        assertThat(run("keys", "add", "--consumer", "billing", "--role", "admin", "-f", file.toString()))
                .isEqualTo(2);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).contains("consumer billing already exists with roles [read]");
        assertThat(Files.readString(file)).isEqualTo(before);
    }

    @Test
    void usageErrorsExitTwo() {
        Path file = dir.resolve("keys.yaml");
        assertThat(run("keys", "add", "--file", file.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required option: '--consumer=NAME'");
        assertThat(run("keys", "add", "--consumer", "no spaces", "--file", file.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("consumer name must be 1 to 128 of");
        assertThat(run("keys", "add", "--consumer", "a", "--role", "", "--file", file.toString())).isEqualTo(2);
        assertThat(run("keys")).isEqualTo(2);
        assertThat(err.toString()).contains("add").contains("hash");
        assertThat(out.toString()).isEmpty();
        assertThat(file).doesNotExist();
    }

    @Test
    void aBrokenOrUnwritableFileExitsOneAndIssuesNoKey() throws Exception {
        Path file = Files.writeString(dir.resolve("keys.yaml"), "consumers:\n  - name: a\n    keys: [oops]\n");
        assertThat(run("keys", "add", "--consumer", "a", "--file", file.toString())).isEqualTo(1);
        assertThat(err.toString()).contains(file + ":3: \"oops\" is not a key hash").contains("nothing was changed");
        assertThat(out.toString()).isEmpty();
        assertThat(Files.readString(file)).contains("oops");

        Path nowhere = dir.resolve("missing-dir/keys.yaml");
        assertThat(run("keys", "add", "--consumer", "a", "--file", nowhere.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("cannot write " + nowhere).contains("no key was issued");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void hashReadsTheKeyFromStdin() {
        assertThat(withStdin("pk_example\n", () -> run("keys", "hash"))).isZero();
        assertThat(out.toString()).isEqualTo(ApiKeys.hash("pk_example") + System.lineSeparator());
        assertThat(withStdin("  pk_example  \r\nsecond line ignored\n", () -> run("keys", "hash"))).isZero();
        assertThat(out.toString().strip()).isEqualTo(ApiKeys.hash("pk_example"));
        assertThat(withStdin("", () -> run("keys", "hash"))).isEqualTo(2);
        assertThat(err.toString()).contains("no key on stdin");
    }

    private static int withStdin(String input, java.util.function.IntSupplier body) {
        InputStream original = System.in;
        System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        try {
            return body.getAsInt();
        } finally {
            System.setIn(original);
        }
    }
}
