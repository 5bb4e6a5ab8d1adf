package io.portcullis.cli;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.portcullis.config.ConfigLoader;
import io.portcullis.config.GatewayConfig;
import io.portcullis.server.Gateway;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code portcullis demo}: two demo services on loopback and a gateway in front of them, with a config that shows
 * prefix routing, a path rewrite and the JSON 404; prints the URLs and curl commands to try.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Start the gateway in front of two built-in demo backends on loopback.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = {"-p", "--port"}, defaultValue = "8080", description = "gateway port (default: ${DEFAULT-VALUE})")
    int port;

    static final String CONFIG = """
            server: { drain_timeout: 5s }
            access_log: { enabled: true, path: stdout }
            listeners:
              - name: public
                address: 127.0.0.1:${PORT}
            routes:
              - name: users
                match: { path_prefix: /users }
                cluster: users
              - name: orders-v1
                match: { path_prefix: /api/v1/orders }
                cluster: orders
                rewrite: { prefix: /orders }
              - name: orders
                match: { path_prefix: /orders, methods: [ GET, POST ] }
                cluster: orders
            clusters:
              - name: users
                endpoints: [ "127.0.0.1:${USERS_PORT}" ]
              - name: orders
                endpoints: [ "127.0.0.1:${ORDERS_PORT}" ]
            """;

    @Override
    public Integer call() throws Exception {
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        DemoBackend users = new DemoBackend("users", group);
        DemoBackend orders = new DemoBackend("orders", group);
        Map<String, String> env = Map.of("PORT", Integer.toString(port),
                "USERS_PORT", Integer.toString(users.port()), "ORDERS_PORT", Integer.toString(orders.port()));
        GatewayConfig config = new ConfigLoader(env::get).parse(CONFIG, "demo.yaml");
        Gateway gateway = Gateway.start(config);
        int bound = gateway.port("public");
        String base = "http://127.0.0.1:" + bound;
        System.out.printf("""

                Portcullis demo is running (Ctrl-C to stop).
                  gateway          %s
                  backend users    http://127.0.0.1:%d
                  backend orders   http://127.0.0.1:%d

                Try:
                  curl -i %s/users/42
                  curl -i %s/api/v1/orders/7        # rewritten to /orders/7 upstream
                  curl -i %s/nowhere                # JSON 404 from the gateway

                """, base, users.port(), orders.port(), base, base, base);
        Shutdown.onSignal(gateway, Duration.ofSeconds(5), () -> {
            users.close();
            orders.close();
            group.shutdownGracefully();
        });
        return 0;
    }
}
