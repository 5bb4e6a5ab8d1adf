package io.portcullis.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.testing.GatewayProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The command line as a user runs it: exit codes and what it prints. */
class CliIT {

    private static GatewayProcess finished(String... args) throws Exception {
        GatewayProcess p = GatewayProcess.launch(List.of(), args);
        assertThat(p.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p;
    }

    @Test
    void helpAndVersionOnEveryCommand() throws Exception {
        for (String[] args : new String[][] {{"--help"}, {"run", "--help"}, {"validate", "--help"}, {"demo", "--help"}}) {
            try (GatewayProcess p = finished(args)) {
                assertThat(p.process().exitValue()).as(String.join(" ", args)).isZero();
                assertThat(p.output()).contains("Usage:");
            }
        }
        for (String[] args : new String[][] {{"--version"}, {"run", "--version"}, {"validate", "--version"}}) {
            try (GatewayProcess p = finished(args)) {
                assertThat(p.process().exitValue()).isZero();
                assertThat(p.output()).contains("portcullis ");
            }
        }
    }

    @Test
    void validateReportsEveryErrorWithFileAndLineAndExitsNonZero() throws Exception {
        Path bad = Files.createTempFile("bad", ".yaml");
        Files.writeString(bad, """
                listeners:
                  - name: public
                    address: 127.0.0.1:8080
                    idle_timeot: 5s
                routes:
                  - name: all
                    match: { path_prefix: / }
                    cluster: nowhere
                clusters:
                  - name: backend
                    endpoints: [ "127.0.0.1:9000" ]
                """);
        try (GatewayProcess p = finished("validate", "-c", bad.toString())) {
            assertThat(p.process().exitValue()).isEqualTo(1);
            assertThat(p.output()).contains(bad + ":4:").contains("idle_timeot")
                    .contains(bad + ":8:").contains("nowhere");
        }
    }

    @Test
    void validateAcceptsTheMinimalFile() throws Exception {
        Path good = Files.createTempFile("good", ".yaml");
        Files.writeString(good, """
                listeners:
                  - name: public
                    address: 127.0.0.1:${PORT:-8080}
                routes:
                  - name: all
                    match: { path_prefix: / }
                    cluster: backend
                clusters:
                  - name: backend
                    endpoints: [ "127.0.0.1:${ORIGIN_PORT:-9000}" ]
                """);
        try (GatewayProcess p = finished("validate", "-c", good.toString())) {
            assertThat(p.process().exitValue()).isZero();
            assertThat(p.output()).contains("OK");
        }
    }
}
