package io.portcullis.security;

import io.portcullis.config.GatewayConfig;
import io.portcullis.config.ListenerConfig;
import io.portcullis.config.PolicyConfig;
import io.portcullis.config.RouteConfig;
import io.portcullis.config.SecurityConfig;
import io.portcullis.filter.Filter;
import io.portcullis.observe.GatewayMetrics;
import io.portcullis.security.apikey.ApiConsumer;
import io.portcullis.security.apikey.ApiKeyFile;
import io.portcullis.security.apikey.ApiKeySource;
import io.portcullis.security.apikey.ApiKeyStore;
import io.portcullis.security.files.FileFormatException;
import io.portcullis.security.files.ReloadListener;
import io.portcullis.security.ip.IpListFile;
import io.portcullis.security.ip.IpMatcher;
import io.portcullis.security.ip.IpSet;
import io.portcullis.security.jwt.JwtVerifier;
import io.portcullis.security.jwt.JwtVerifierBuilder;
import io.portcullis.security.jwt.KeySet;
import io.portcullis.security.jwt.KeySource;
import io.portcullis.security.jwt.RemoteJwks;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The security state of one config snapshot: JWT verifiers with their key sources, API-key consumers, IP lists
 * and trusted proxies, and the factory that turns a route's and its listener's policies into filters.
 *
 * <p>Key sources and watched files outlive a reload when their config did not change (records compare by value):
 * a reload does not refetch a JWKS or re-read a list. {@link #closeUnused} stops what the next snapshot no longer
 * uses.
 */
public final class SecurityRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SecurityRuntime.class);

    private final SecurityConfig config;
    private final Map<String, JwtProvider> jwt;
    /** Per config record, so the next snapshot can take over what did not change. */
    private final Map<SecurityConfig.JwtProvider, JwtProvider> jwtByConfig;
    private final Map<SecurityConfig.IpList, NamedIpList> ipListsByConfig;
    private final Map<String, NamedIpList> ipLists;
    private final AuthFilter.ApiKey apiKeys;
    private final ApiKeyFile apiKeyFile;
    private final Map<String, IpSet> trustedProxies;
    private final List<String> identityHeaders;
    private final GatewayMetrics metrics;

    /** A named IP list: its config CIDRs and its files. */
    record NamedIpList(List<IpMatcher> allow, List<IpMatcher> deny, List<AutoCloseable> files) {}

    private SecurityRuntime(SecurityConfig config, Map<SecurityConfig.JwtProvider, JwtProvider> jwtByConfig,
            Map<SecurityConfig.IpList, NamedIpList> ipListsByConfig, AuthFilter.ApiKey apiKeys, ApiKeyFile apiKeyFile,
            Map<String, IpSet> trustedProxies, GatewayMetrics metrics) {
        this.config = config;
        this.jwtByConfig = jwtByConfig;
        this.ipListsByConfig = ipListsByConfig;
        this.apiKeys = apiKeys;
        this.apiKeyFile = apiKeyFile;
        this.trustedProxies = trustedProxies;
        this.metrics = metrics;
        this.jwt = new HashMap<>();
        jwtByConfig.forEach((c, p) -> jwt.put(c.name(), p));
        this.ipLists = new HashMap<>();
        ipListsByConfig.forEach((c, l) -> ipLists.put(c.name(), l));
        Set<String> headers = new LinkedHashSet<>();
        headers.add(config.consumerHeader());
        config.jwt().forEach(p -> p.claimsToHeaders().forEach(e -> headers.add(e.getValue())));
        this.identityHeaders = List.copyOf(headers);
    }

    /**
     * Builds the security state of {@code config}, taking over from {@code previous} what did not change.
     *
     * @param scheduler runs key fetches and file checks (a control thread, never a request event loop)
     * @throws IOException a key or list file cannot be read now (the config validated it, but it may have changed)
     */
    public static SecurityRuntime build(GatewayConfig config, SecurityRuntime previous, GatewayMetrics metrics,
            ScheduledExecutorService scheduler) throws IOException {
        SecurityConfig security = config.security();
        List<AutoCloseable> started = new ArrayList<>();
        try {
            Map<SecurityConfig.JwtProvider, JwtProvider> jwt = new HashMap<>();
            for (SecurityConfig.JwtProvider p : security.jwt()) {
                JwtProvider kept = previous == null ? null : previous.jwtByConfig.get(p);
                jwt.put(p, kept != null ? kept : jwtProvider(p, metrics, scheduler, started));
            }
            Map<SecurityConfig.IpList, NamedIpList> lists = new HashMap<>();
            for (SecurityConfig.IpList l : security.ipLists()) {
                NamedIpList kept = previous == null ? null : previous.ipListsByConfig.get(l);
                lists.put(l, kept != null ? kept : ipList(l, metrics, scheduler, started));
            }
            AuthFilter.ApiKey apiKeys = null;
            ApiKeyFile keyFile = null;
            SecurityConfig.ApiKeys keys = security.apiKeys();
            if (keys != null) {
                boolean sameFile = previous != null && previous.apiKeyFile != null && previous.config.apiKeys() != null
                        && keys.file() != null && keys.file().equals(previous.config.apiKeys().file())
                        && keys.reloadInterval().equals(previous.config.apiKeys().reloadInterval());
                if (sameFile) {
                    keyFile = previous.apiKeyFile;
                } else if (keys.file() != null) {
                    keyFile = ApiKeyFile.start(keys.file(), keys.reloadInterval(), scheduler, true,
                            reloads(metrics, keys.file()));
                    started.add(keyFile);
                }
                List<ApiConsumer> consumers = new ArrayList<>();
                keys.consumers().forEach(c -> consumers.add(new ApiConsumer(c.name(), Set.copyOf(c.roles()),
                        c.keys())));
                List<ApiKeySource> sources = new ArrayList<>();
                ApiKeyStore inline = ApiKeyStore.of(consumers);
                sources.add(inline);
                if (keyFile != null) {
                    sources.add(keyFile);
                }
                apiKeys = new AuthFilter.ApiKey(keys, sources);
            }
            Map<String, IpSet> trusted = new HashMap<>();
            for (ListenerConfig listener : config.listeners()) {
                if (!listener.trustedProxies().isEmpty()) {
                    trusted.put(listener.name(), IpSet.parse(listener.trustedProxies()));
                }
            }
            return new SecurityRuntime(security, jwt, lists, apiKeys, keyFile, trusted, metrics);
        } catch (FileFormatException e) {
            started.forEach(SecurityRuntime::closeQuietly);
            throw new IOException(e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            started.forEach(SecurityRuntime::closeQuietly);
            throw e;
        }
    }

    private static JwtProvider jwtProvider(SecurityConfig.JwtProvider p, GatewayMetrics metrics,
            ScheduledExecutorService scheduler, List<AutoCloseable> started) throws IOException {
        KeySource keys;
        RemoteJwks remote = null;
        if (p.jwksUrl() != null) {
            remote = RemoteJwks.builder(URI.create(p.jwksUrl()), scheduler)
                    .refreshInterval(p.refreshInterval())
                    .minRefetchInterval(p.minRefetchInterval())
                    .fetchTimeout(p.fetchTimeout())
                    .build();
            started.add(remote);
            remote.start();
            metrics.jwks(p.name(), remote, RemoteJwks::fetchesSucceeded, RemoteJwks::fetchesFailed);
            keys = remote;
        } else if (p.jwksFile() != null) {
            keys = KeySource.fromFile(p.jwksFile());
        } else {
            keys = KeySource.of(KeySet.EMPTY); // HMAC only
        }
        JwtVerifierBuilder builder = JwtVerifier.builder(keys)
                .issuer(p.issuer())
                .audiences(p.audiences())
                .requiredClaims(p.requiredClaims())
                .clockSkew(p.clockSkew())
                .maxTokenBytes((int) p.maxTokenSize());
        if (!p.algorithms().isEmpty()) {
            builder.algorithms(p.algorithms());
        }
        if (p.hmacSecret() != null) {
            builder.hmacSecret(p.hmacSecret().getBytes(StandardCharsets.UTF_8));
        }
        return new JwtProvider(p, builder.build(), remote);
    }

    private static NamedIpList ipList(SecurityConfig.IpList l, GatewayMetrics metrics,
            ScheduledExecutorService scheduler, List<AutoCloseable> started) throws FileFormatException {
        List<IpMatcher> allow = new ArrayList<>();
        List<IpMatcher> deny = new ArrayList<>();
        List<AutoCloseable> files = new ArrayList<>();
        if (!l.allow().isEmpty()) {
            allow.add(IpSet.parse(l.allow()));
        }
        if (!l.deny().isEmpty()) {
            deny.add(IpSet.parse(l.deny()));
        }
        if (l.allowFile() != null) {
            IpListFile f = IpListFile.start(l.allowFile(), l.reloadInterval(), scheduler, true,
                    reloads(metrics, l.allowFile()));
            started.add(f);
            files.add(f);
            allow.add(f);
        }
        if (l.denyFile() != null) {
            IpListFile f = IpListFile.start(l.denyFile(), l.reloadInterval(), scheduler, true,
                    reloads(metrics, l.denyFile()));
            started.add(f);
            files.add(f);
            deny.add(f);
        }
        return new NamedIpList(List.copyOf(allow), List.copyOf(deny), List.copyOf(files));
    }

    private static <T> ReloadListener<T> reloads(GatewayMetrics metrics, Path file) {
        String name = file.getFileName().toString();
        return new ReloadListener<>() {
            @Override
            public void reloaded(Path f, T value) {
                metrics.securityFileReload(name, "success");
            }

            @Override
            public void refused(Path f, FileFormatException problem) {
                metrics.securityFileReload(name, "failure");
            }
        };
    }

    /** Proxies whose forwarding headers name the client on {@code listener}, or null when none are trusted. */
    public IpSet trustedProxies(String listener) {
        return trustedProxies.get(listener);
    }

    /**
     * The filters of {@code route} for requests that came through {@code listener}, in the fixed security order
     * (response headers, IP lists, anomaly actions, CORS, authentication, authorization, anomaly actions by
     * consumer, rate limits, validation, injection, admission; the {@code traffic} ones where not null), then the
     * route's own filters. Each section is the route's, else the listener's; IP rules of both apply.
     */
    public List<Filter> filters(RouteConfig route, ListenerConfig listener, TrafficFilters traffic) {
        return PolicyFilters.create(this, route, listener, traffic);
    }

    SecurityConfig config() {
        return config;
    }

    JwtProvider jwt(String name) {
        return jwt.get(name);
    }

    /** The only JWT provider, for {@code auth: [jwt]}; null when there is not exactly one. */
    JwtProvider onlyJwt() {
        return jwt.size() == 1 ? jwt.values().iterator().next() : null;
    }

    NamedIpList ipList(String name) {
        return ipLists.get(name);
    }

    AuthFilter.ApiKey apiKeys() {
        return apiKeys;
    }

    List<String> identityHeaders() {
        return identityHeaders;
    }

    /** Whether any way to authenticate is defined, so identity headers must be stripped on every route. */
    boolean definesIdentity() {
        return !config.jwt().isEmpty() || config.apiKeys() != null || !config.clientCertificates().isEmpty();
    }

    /** Stops the key fetches and file checks this runtime started that {@code next} does not use. */
    public void closeUnused(SecurityRuntime next) {
        Map<Object, Boolean> used = new IdentityHashMap<>();
        next.resources().forEach(r -> used.put(r, true));
        for (AutoCloseable r : resources()) {
            if (!used.containsKey(r)) {
                closeQuietly(r);
            }
        }
    }

    @Override
    public void close() {
        resources().forEach(SecurityRuntime::closeQuietly);
    }

    private List<AutoCloseable> resources() {
        List<AutoCloseable> out = new ArrayList<>();
        jwtByConfig.values().forEach(p -> {
            if (p.keys() != null) {
                out.add(p.keys());
            }
        });
        ipListsByConfig.values().forEach(l -> out.addAll(l.files()));
        if (apiKeyFile != null) {
            out.add(apiKeyFile);
        }
        return out;
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("closing {} failed: {}", c, e.toString());
        }
    }

    GatewayMetrics metrics() {
        return metrics;
    }
}
