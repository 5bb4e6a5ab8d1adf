package io.portcullis.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.portcullis.config.RouteConfig;
import io.portcullis.config.RouteConfig.HeaderMatch;
import io.portcullis.config.RouteConfig.Match;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compares {@link DefaultRouter} with a naive matcher that tries every route in config order, over random configs
 * drawn from small pools so that hosts, paths, methods and headers collide often and every index kind competes.
 */
class DefaultRouterRandomizedTest {

    private static final String[] CONFIG_HOSTS = {"a.example.com", "b.example.com", "x.a.example.com", "example.com",
        "*.example.com", "*.a.example.com", "other.org", "*.org", "*", "A.Example.COM", "*.X.A.example.com"};
    private static final String[] REQUEST_HOSTS = {"a.example.com", "b.example.com", "x.a.example.com",
        "y.x.a.example.com", "example.com", ".example.com", "other.org", "z.other.org", "org", "", "A.EXAMPLE.COM",
        "unknown.net"};
    private static final String[] SEGMENTS = {"api", "apix", "v1", "users", "42", "a"};
    private static final String[] REGEXES = {"/api/.*", "/[a-z]+", "/users/[0-9]+", ".*42.*", "/v1(/.*)?", "/a.*/"};
    private static final String[] METHODS = {"GET", "POST", "PUT"};

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
    void agreesWithLinearReferenceOnSmallConfigs(long seed) {
        compare(seed, 1 + new Random(seed).nextInt(300), 1000);
    }

    @Test
    void agreesWithLinearReferenceOnALargeConfig() {
        compare(42, 3000, 3000);
    }

    private static void compare(long seed, int routeCount, int requestCount) {
        Random random = new Random(seed);
        List<RouteConfig> routes = new ArrayList<>();
        for (int i = 0; i < routeCount; i++) {
            routes.add(randomRoute(random, "r" + i));
        }
        Router router = Router.of(routes);
        List<Pattern> pathPatterns = new ArrayList<>();
        for (RouteConfig r : routes) {
            pathPatterns.add(r.match().pathRegex() == null ? null : Pattern.compile(r.match().pathRegex()));
        }
        int hits = 0;
        for (int q = 0; q < requestCount; q++) {
            String host = pick(random, REQUEST_HOSTS);
            String path = randomPath(random);
            String method = pick(random, METHODS);
            HttpHeaders headers = randomHeaders(random);
            int expected = reference(routes, pathPatterns, host, path, method, headers);
            Route actual = router.find(host, path, method, headers);
            assertThat(actual == null ? -1 : actual.order())
                    .as("seed %d, request %s %s%s %s", seed, method, host, path, headers)
                    .isEqualTo(expected);
            hits += expected >= 0 ? 1 : 0;
        }
        // Guard against a generator that makes the comparison trivial.
        assertThat(hits).as("hits").isGreaterThan(requestCount / 20);
    }

    /** The specification, literally: the first route in order whose every condition holds. */
    private static int reference(List<RouteConfig> routes, List<Pattern> pathPatterns, String host, String path,
                                 String method, HttpHeaders headers) {
        for (int i = 0; i < routes.size(); i++) {
            Match m = routes.get(i).match();
            if (hostMatches(m.hosts(), host.toLowerCase(Locale.ROOT))
                    && (m.path() == null || m.path().equals(path))
                    && (m.pathPrefix() == null || path.startsWith(m.pathPrefix()))
                    && (pathPatterns.get(i) == null || pathPatterns.get(i).matcher(path).matches())
                    && (m.methods().isEmpty() || m.methods().contains(method))
                    && headersMatch(m.headers(), headers)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean hostMatches(List<String> hosts, String host) {
        if (hosts.isEmpty()) {
            return true;
        }
        for (String configured : hosts) {
            String h = configured.toLowerCase(Locale.ROOT);
            if (h.equals("*") || h.equals(host)) {
                return true;
            }
            if (h.startsWith("*.") && host.endsWith(h.substring(1)) && host.length() > h.length() - 1) {
                return true;
            }
        }
        return false;
    }

    private static boolean headersMatch(List<HeaderMatch> matches, HttpHeaders headers) {
        for (HeaderMatch hm : matches) {
            List<String> values = headers.getAll(hm.name());
            boolean ok;
            if (hm.exact() != null) {
                ok = values.contains(hm.exact());
            } else if (hm.regex() != null) {
                ok = values.stream().anyMatch(v -> v.matches(hm.regex()));
            } else {
                ok = !values.isEmpty() == hm.present();
            }
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static RouteConfig randomRoute(Random random, String name) {
        List<String> hosts = new ArrayList<>();
        for (int n = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(2); n > 0; n--) {
            hosts.add(pick(random, CONFIG_HOSTS));
        }
        String path = null;
        String prefix = null;
        String regex = null;
        switch (random.nextInt(5)) {
            case 0 -> path = randomPath(random);
            case 1 -> prefix = randomPath(random);
            case 2 -> {
                String p = randomPath(random);
                prefix = p.substring(0, random.nextInt(p.length() + 1)); // cuts mid-segment too, or to ""
            }
            case 3 -> regex = pick(random, REGEXES);
            default -> { }
        }
        List<String> methods = new ArrayList<>();
        if (random.nextInt(3) == 0) {
            methods.add(pick(random, METHODS));
            if (random.nextBoolean()) {
                methods.add(pick(random, METHODS));
            }
        }
        List<HeaderMatch> headers = new ArrayList<>();
        for (int n = random.nextInt(4) == 0 ? 1 + random.nextInt(2) : 0; n > 0; n--) {
            headers.add(switch (random.nextInt(4)) {
                case 0 -> new HeaderMatch("X-T", random.nextBoolean() ? "blue" : "red", null, null);
                case 1 -> new HeaderMatch("x-t", null, "b.*", null);
                default -> new HeaderMatch("x-a", null, null, random.nextBoolean());
            });
        }
        return Routes.route(name, new Match(hosts, path, prefix, regex, methods, headers));
    }

    private static String randomPath(Random random) {
        StringBuilder sb = new StringBuilder();
        for (int n = random.nextInt(4); n > 0; n--) {
            sb.append('/').append(pick(random, SEGMENTS));
        }
        if (sb.isEmpty() || random.nextInt(4) == 0) {
            sb.append('/');
        }
        return sb.toString();
    }

    private static HttpHeaders randomHeaders(Random random) {
        HttpHeaders headers = new DefaultHttpHeaders();
        for (int n = random.nextInt(3); n > 0; n--) {
            headers.add("x-t", pick(random, new String[] {"blue", "red", "bravo", "green"}));
        }
        if (random.nextBoolean()) {
            headers.add("X-A", "1");
        }
        return headers;
    }

    private static <T> T pick(Random random, T[] values) {
        return values[random.nextInt(values.length)];
    }
}
