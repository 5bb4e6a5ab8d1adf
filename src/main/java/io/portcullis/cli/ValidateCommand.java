package io.portcullis.cli;

import io.portcullis.config.ConfigError;
import io.portcullis.config.ConfigException;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.GatewayConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code portcullis validate -c FILE}: checks a config and prints every error; exit 1 when there is any. */
@Command(name = "validate", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Check a configuration file and report every error with file, line and column.")
final class ValidateCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, description = "YAML or JSON config file")
    Path config;

    @Override
    public Integer call() {
        try {
            GatewayConfig c = ConfigLoader.withSystemEnv().load(config);
            System.out.printf("%s: OK (%d listeners, %d routes, %d clusters)%n", config, c.listeners().size(),
                    c.routes().size(), c.clusters().size());
            return 0;
        } catch (ConfigException e) {
            for (ConfigError error : e.errors()) {
                System.err.println(error);
            }
            System.err.printf("%s: %d error(s)%n", config, e.errors().size());
            return 1;
        }
    }
}
