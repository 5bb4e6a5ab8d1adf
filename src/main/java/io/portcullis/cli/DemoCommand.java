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
 * {@code portcullis demo}: three demo backends on loopback (two instances of {@code users}, one of {@code orders})
 * and a gateway in front of them, with a config that shows prefix routing, a path rewrite, least-request balancing
 * with health checks, the JSON 404 and the admin API; prints the URLs and curl commands to try.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Start the gateway in front of two built-in demo backends on loopback.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = {"-p", "--port"}, defaultValue = "8080", description = "gateway port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--admin-port", defaultValue = "9901",
            description = "admin API port (default: ${DEFAULT-VALUE})")
    int adminPort;

    static final String CONFIG = """
            server: { drain_timeout: 5s }
            access_log: { enabled: true, path: stdout }
            admin:
              address: 127.0.0.1:${ADMIN_PORT}
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
                lb_policy: least_request
                endpoints: [ "127.0.0.1:${USERS_PORT}", "127.0.0.1:${USERS_2_PORT}" ]
                health_check: { http: { path: /healthz }, interval: 5s, timeout: 1s }
              - name: orders
                endpoints: [ "127.0.0.1:${ORDERS_PORT}" ]
            """;

    @Override
    public Integer call() throws Exception {
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        DemoBackend users = new DemoBackend("users", group);
        DemoBackend users2 = new DemoBackend("users-2", group);
        DemoBackend orders = new DemoBackend("orders", group);
        Map<String, String> env = Map.of("PORT", Integer.toString(port), "ADMIN_PORT", Integer.toString(adminPort),
                "USERS_PORT", Integer.toString(users.port()), "USERS_2_PORT", Integer.toString(users2.port()),
                "ORDERS_PORT", Integer.toString(orders.port()));
        GatewayConfig config = new ConfigLoader(env::get).parse(CONFIG, "demo.yaml");
        Gateway gateway = Gateway.start(config);
        int bound = gateway.port("public");
        String base = "http://127.0.0.1:" + bound;
        String admin = "http://127.0.0.1:" + gateway.adminAddress().getPort();
        System.out.printf("""

                Portcullis demo is running (Ctrl-C to stop).
                  gateway          %s
                  admin API        %s
                  backend users    http://127.0.0.1:%d and http://127.0.0.1:%d
                  backend orders   http://127.0.0.1:%d

                Try:
                  curl -i %s/users/42                # least_request over two users instances
                  curl -i %s/api/v1/orders/7        # rewritten to /orders/7 upstream
                  curl -i %s/nowhere                # JSON 404 from the gateway
                  curl %s/clusters                  # endpoints, health, requests in flight
                  curl %s/metrics                   # Prometheus metrics

                """, base, admin, users.port(), users2.port(), orders.port(), base, base, base, admin, admin);
        Shutdown.onSignal(gateway, Duration.ofSeconds(5), () -> {
            users.close();
            users2.close();
            orders.close();
            group.shutdownGracefully();
        });
        return 0;
    }
}
