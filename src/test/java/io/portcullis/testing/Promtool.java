package io.portcullis.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus' own linter for an exposition: {@code promtool check metrics}. Not a mock: the real binary from the
 * Debian package {@code prometheus}, which {@code .ci/run} installs; a test that needs it fails without it.
 */
public final class Promtool {
    private Promtool() {
    }

    /** Fails with promtool's words unless it accepts {@code exposition} without a single complaint. */
    public static void assertClean(String exposition) throws Exception {
        Path file = Files.createTempFile("metrics", ".txt");
        try {
            Files.writeString(file, exposition);
            Process check = new ProcessBuilder(binary(), "check", "metrics")
                    .redirectInput(file.toFile())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(check.waitFor(30, TimeUnit.SECONDS)).as("promtool finished").isTrue();
            // promtool prints each lint problem as a line and exits non-zero; any output at all is a failure.
            assertThat(output).as("promtool check metrics said:%n%s", output).isBlank();
            assertThat(check.exitValue()).as("promtool exit code; it said:%n%s", output).isZero();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static String binary() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String entry : path.split(File.pathSeparator)) {
            File candidate = new File(entry, "promtool");
            if (candidate.canExecute()) {
                return candidate.getPath();
            }
        }
        return fail("promtool is not on PATH (" + path + "): install the Debian package prometheus "
                + "(apt-get install prometheus; .ci/run installs it)");
    }
}
