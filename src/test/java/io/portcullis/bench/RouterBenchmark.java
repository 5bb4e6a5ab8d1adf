package io.portcullis.bench;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.portcullis.config.RouteConfig;
import io.portcullis.config.RouteConfig.HeaderMatch;
import io.portcullis.config.RouteConfig.Match;
import io.portcullis.config.RouteConfig.Rewrite;
import io.portcullis.route.Route;
import io.portcullis.route.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Route lookup cost against the number of routes (acceptance: 10,000 routes cost at most 1.2x 10 routes per request).
 *
 * <p>The config mixes exact hosts, wildcard hosts and any-host routes with exact paths, {@code /svcN/vK/} prefixes,
 * method and header conditions, plus two regex routes whatever the size: the first route (regex, on its own host) and
 * the last (regex, any host, so every request that finds nothing earlier pays for it). Each invocation looks up the
 * next of 128 pre-built requests that hit routes spread over the whole config; one in 32 hits the first regex route
 * and one in 32 matches nothing (404). Request strings are pre-built, so their hash codes are cached as they would be
 * after the first map lookup of a real request.
 *
 * <p>Service numbers are zero-padded to four digits for both sizes ({@code /svc0007/}, {@code /svc9997/}) so that
 * host and path lengths, which lookup cost is proportional to by design, do not change with the route count.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RouterBenchmark {

    private static final int REQUESTS = 128;

    @Param({"10", "10000"})
    public int routes;

    private Router router;
    private Request[] requests;
    private int next;

    record Request(String host, String path, String method, HttpHeaders headers, String expected) {
    }

    @Setup
    public void setUp() {
        List<RouteConfig> configs = new ArrayList<>();
        configs.add(route("legacy-items", new Match(List.of("legacy.example.com"), null, null, "/item/[0-9]+",
                List.of(), List.of())));
        int indexed = routes - 2;
        for (int i = 0; i < indexed; i++) {
            configs.add(indexedRoute(i));
        }
        configs.add(route("static-assets", new Match(List.of(), null, null, "/static/.+\\.(css|js)", List.of("GET"),
                List.of())));
        router = Router.of(configs);

        Random random = new Random(42);
        requests = new Request[REQUESTS];
        for (int k = 0; k < REQUESTS; k++) {
            if (k % 32 == 0) {
                requests[k] = request("legacy.example.com", "/item/" + k, "GET", null, "legacy-items");
            } else if (k % 32 == 16) {
                requests[k] = request("unknown.example.org", "/nothing/here", "GET", null, null);
            } else {
                requests[k] = requestFor(random.nextInt(indexed));
            }
        }
        for (Request r : requests) {
            Route found = router.find(r.host, r.path, r.method, r.headers);
            String name = found == null ? null : found.name();
            if (name == null ? r.expected != null : !name.equals(r.expected)) {
                throw new IllegalStateException("benchmark request " + r + " found " + name);
            }
        }
    }

    @Benchmark
    public Route find() {
        Request r = requests[next++ & (REQUESTS - 1)];
        return router.find(r.host, r.path, r.method, r.headers);
    }

    private static RouteConfig indexedRoute(int n) {
        String name = "route-" + n;
        String i = id(n);
        return switch (n % 4) {
            case 0 -> new RouteConfig(name, new Match(List.of("svc" + i + ".example.com"), null, "/svc" + i + "/v1/",
                    null, List.of(), List.of()), "cluster-" + n, new Rewrite("/v1/", null),
                    RouteConfig.DEFAULT_TIMEOUT, null);
            case 1 -> route(name, new Match(List.of("*.tenant" + i + ".example.com"), null, "/svc" + i + "/v2/", null,
                    List.of("GET", "POST"), List.of()));
            case 2 -> route(name, new Match(List.of(), "/svc" + i + "/health", null, null, List.of("GET"),
                    List.of()));
            default -> route(name, new Match(List.of("api.example.com", "*.api.example.com"), null, "/svc" + i + "/",
                    null, List.of(), List.of(new HeaderMatch("x-version", "v" + i, null, null))));
        };
    }

    private static Request requestFor(int n) {
        String name = "route-" + n;
        String i = id(n);
        return switch (n % 4) {
            case 0 -> request("svc" + i + ".example.com", "/svc" + i + "/v1/users/42", "GET", null, name);
            case 1 -> request("acme.tenant" + i + ".example.com", "/svc" + i + "/v2/orders", "POST", null, name);
            case 2 -> request("www.example.com", "/svc" + i + "/health", "GET", null, name);
            default -> request("api.example.com", "/svc" + i + "/items/7", "GET", "v" + i, name);
        };
    }

    private static String id(int n) {
        return String.format("%04d", n);
    }

    private static Request request(String host, String path, String method, String version, String expected) {
        HttpHeaders headers = new DefaultHttpHeaders();
        headers.add("user-agent", "curl/8.5.0");
        headers.add("accept", "application/json");
        if (version != null) {
            headers.add("x-version", version);
        }
        return new Request(host, path, method, headers, expected);
    }

    private static RouteConfig route(String name, Match match) {
        return new RouteConfig(name, match, "cluster-" + name, Rewrite.NONE, RouteConfig.DEFAULT_TIMEOUT, null);
    }
}
