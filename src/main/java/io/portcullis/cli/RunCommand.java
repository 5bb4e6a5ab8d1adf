package io.portcullis.cli;

import io.portcullis.config.ConfigError;
import io.portcullis.config.ConfigException;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.GatewayConfig;
import io.portcullis.server.Gateway;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code portcullis run -c FILE}: serves until SIGTERM/SIGINT, then drains and exits 0. */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Start the gateway with a configuration file; SIGTERM drains in-flight requests and exits 0.")
final class RunCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, description = "YAML or JSON config file")
    Path config;

    static boolean keepsRunning(String[] args) {
        return args.length > 0 && (args[0].equals("run") || args[0].equals("demo"))
                && !java.util.Arrays.asList(args).contains("--help")
                && !java.util.Arrays.asList(args).contains("-h")
                && !java.util.Arrays.asList(args).contains("--version")
                && !java.util.Arrays.asList(args).contains("-V");
    }

    @Override
    public Integer call() throws Exception {
        GatewayConfig c;
        try {
            c = ConfigLoader.withSystemEnv().load(config);
        } catch (ConfigException e) {
            for (ConfigError error : e.errors()) {
                System.err.println(error);
            }
            return 1;
        }
        Gateway gateway = Gateway.start(c);
        Shutdown.onSignal(gateway, c.server().drainTimeout(), null);
        return 0;
    }
}
