package io.portcullis.cli;

import io.portcullis.security.apikey.ApiConsumer;
import io.portcullis.security.apikey.ApiKeyFile;
import io.portcullis.security.apikey.ApiKeyStore;
import io.portcullis.security.apikey.ApiKeys;
import io.portcullis.security.files.FileFormatException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis keys add | hash}: makes API keys and the hashes the gateway stores. The plain key is printed
 * once, alone on stdout (so {@code KEY=$(portcullis keys add ...)} captures exactly it), and written nowhere; what
 * happened goes to stderr. Exit 0 on success, 2 for a usage error, 1 when the key file cannot be read or written.
 */
@Command(name = "keys", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Create API keys and hash them; only hashes are ever stored.",
        subcommands = {KeysCommand.Add.class, KeysCommand.Hash.class})
final class KeysCommand implements Callable<Integer> {
    static final int FILE_PROBLEM = 1;
    static final int USAGE = CommandLine.ExitCode.USAGE;

    @Spec
    CommandSpec spec;

    /** {@code portcullis keys} alone: the usage, and a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE;
    }

    @Command(name = "add", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = {"Create a key for a consumer, add its hash to the key file (created if missing) and print"
                    + " the key once.", "Run it again for the same consumer to rotate: both keys work until the old"
                    + " hash is removed from the file."})
    static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--consumer", required = true, paramLabel = "NAME", description = "who the key is for")
        String consumer;

        @Option(names = "--role", paramLabel = "ROLE",
                description = "a role of a new consumer (repeatable); an existing consumer keeps its roles")
        List<String> roles = List.of();

        @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "the YAML key file")
        Path file;

        /** Tests pass a seeded source; keys from the command line always come from a fresh SecureRandom. */
        SecureRandom random = new SecureRandom();

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            ApiConsumer fresh;
            try {
                fresh = new ApiConsumer(consumer, new LinkedHashSet<>(roles), List.of());
            } catch (IllegalArgumentException e) {
                err.println("keys add: " + e.getMessage());
                return USAGE;
            }
            ApiKeyStore store;
            try {
                store = Files.exists(file) ? ApiKeyFile.read(file) : ApiKeyStore.empty();
            } catch (FileFormatException e) {
                err.println("keys add: " + e.getMessage() + " (nothing was changed)");
                return FILE_PROBLEM;
            }
            ApiConsumer existing = store.consumer(consumer);
            if (existing != null && !roles.isEmpty() && !existing.roles().equals(fresh.roles())) {
                err.printf("keys add: consumer %s already exists with roles %s; leave out --role to add a key, or"
                        + " edit the roles in %s%n", consumer, existing.roles(), file);
                return USAGE;
            }
            String key = ApiKeys.generate(random);
            ApiConsumer updated = (existing == null ? fresh : existing).withKey(ApiKeys.hash(key));
            try {
                ApiKeyFile.write(file, store.with(updated));
            } catch (IOException e) {
                err.println("keys add: cannot write " + file + ": " + e + " (no key was issued)");
                return FILE_PROBLEM;
            }
            spec.commandLine().getOut().println(key);
            spec.commandLine().getOut().flush();
            err.printf("New key for consumer %s (roles %s) above, shown only this once: store it now. %s now holds"
                    + " %d key hash(es) for %s.%n", consumer, updated.roles(), file, updated.keys().size(), consumer);
            return 0;
        }
    }

    @Command(name = "hash", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = "Read a key from the first line of stdin and print its hash (sha256:...), for keys held in"
                    + " the gateway config.")
    static final class Hash implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            // Not closed: it wraps System.in, which this command does not own.
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line = in.readLine();
            String key = line == null ? "" : line.strip();
            if (key.isEmpty()) {
                spec.commandLine().getErr().println("keys hash: no key on stdin (try: keys hash <<< \"$KEY\")");
                return USAGE;
            }
            try {
                spec.commandLine().getOut().println(ApiKeys.hash(key));
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("keys hash: " + e.getMessage());
                return USAGE;
            }
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
