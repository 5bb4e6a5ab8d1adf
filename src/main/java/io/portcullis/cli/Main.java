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

    public static void main(String[] args) {
        int code = new CommandLine(new Main()).execute(args);
        if (code != 0 || !RunCommand.keepsRunning(args)) {
            System.exit(code);
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
