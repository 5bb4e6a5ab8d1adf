package io.portcullis.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code portcullis} command line: {@code run}, {@code validate}, {@code demo}, {@code keys}. Every command has
 * {@code --help} and {@code --version}.
 */
@Command(name = "portcullis", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "An API gateway: listener -> router -> filters -> cluster -> backend.",
        subcommands = {RunCommand.class, ValidateCommand.class, DemoCommand.class, KeysCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * Netty tracks one pooled buffer in this many for leaks, recording a stack trace for each (its default is 128).
     * Under load those traces cost about 2 % of the event loop's CPU (perf, {@code bench/tls.sh} HTTPS keep-alive);
     * one in 4096 still reports a leak that happens on every request within seconds. A value given with
     * {@code -Dio.netty.leakDetection.samplingInterval} wins; {@code -Dio.netty.leakDetection.level} is untouched.
     */
    static final String LEAK_SAMPLING_INTERVAL = "io.netty.leakDetection.samplingInterval";

    public static void main(String[] args) {
        defaultLeakSampling(); // before any Netty class reads it
        int code = new CommandLine(new Main()).execute(args);
        if (code != 0 || !RunCommand.keepsRunning(args)) {
            System.exit(code);
        }
    }

    /** Sets {@link #LEAK_SAMPLING_INTERVAL} to 4096 unless it was given. */
    static void defaultLeakSampling() {
        if (System.getProperty(LEAK_SAMPLING_INTERVAL) == null) {
            System.setProperty(LEAK_SAMPLING_INTERVAL, "4096");
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
