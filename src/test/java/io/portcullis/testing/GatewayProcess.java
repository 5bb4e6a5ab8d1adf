package io.portcullis.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway as a separate JVM started from the shaded jar (built by {@code package}, before failsafe runs), for
 * tests about the process itself: heap bounds, signals, exit codes. Output goes to a log file the test can read.
 */
public final class GatewayProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listener public on /127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final Path log;
    private int port;

    private GatewayProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static Path jar() {
        String jar = System.getProperty("portcullis.jar");
        if (jar == null || !Files.exists(Path.of(jar))) {
            throw new IllegalStateException("the shaded jar is missing (" + jar + "): run through `./mvnw verify`");
        }
        return Path.of(jar);
    }

    /** Runs {@code java [jvmArgs] -jar portcullis.jar args...} with output captured to a temp file. */
    public static GatewayProcess launch(List<String> jvmArgs, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-jar");
        cmd.add(jar().toString());
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile("portcullis-", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new GatewayProcess(p, log);
    }

    /** Starts {@code run -c config} and waits until the {@code public} listener is bound. */
    public static GatewayProcess run(Path config, String... jvmArgs) throws IOException {
        GatewayProcess gp = launch(List.of(jvmArgs), "run", "-c", config.toString());
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (!gp.process.isAlive()) {
                throw new IllegalStateException("gateway exited early:\n" + gp.output());
            }
            Matcher m = LISTENING.matcher(gp.output());
            if (m.find()) {
                gp.port = Integer.parseInt(m.group(1));
                return true;
            }
            return false;
        });
        return gp;
    }

    public int port() {
        return port;
    }

    public Process process() {
        return process;
    }

    public String output() throws IOException {
        return Files.readString(log);
    }

    /** Sends SIGTERM (what {@link Process#destroy()} does on Linux). */
    public void terminate() {
        process.destroy();
    }

    public boolean accepts() {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        Files.deleteIfExists(log);
    }
}
