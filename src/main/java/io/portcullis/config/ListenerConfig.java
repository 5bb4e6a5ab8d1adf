package io.portcullis.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A downstream socket the gateway accepts HTTP on, with the limits and timeouts that protect it.
 *
 * @param host          bind host (IP literal or name), from {@code address: host:port}
 * @param port          bind port; 0 asks the OS for a free one
 * @param limits        request size limits enforced before anything reaches a backend
 * @param headerReadTimeout time allowed to receive a complete request head (slowloris defence)
 * @param idleTimeout   a connection with no request in flight and no bytes for this long is closed
 * @param tls           TLS termination, or null for plain HTTP
 * @param http2         HTTP/2 offered on this listener (ALPN {@code h2} with TLS, prior-knowledge {@code h2c} without)
 * @param redirectHttps when set, the listener answers every request with a 308 to HTTPS and proxies nothing
 * @param trustedProxies CIDRs of proxies in front of the gateway whose {@code X-Forwarded-For}/{@code Forwarded}
 *                      name the client; empty = the socket peer is the client
 * @param security      the security policy every route reached through this listener starts from
 * @param connections   connection-level protection, or null for none
 */
public record ListenerConfig(
        String name,
        String host,
        int port,
        Limits limits,
        Duration headerReadTimeout,
        Duration idleTimeout,
        Tls tls,
        Http2 http2,
        RedirectHttps redirectHttps,
        List<String> trustedProxies,
        PolicyConfig security,
        Connections connections) {

    public ListenerConfig {
        trustedProxies = List.copyOf(trustedProxies);
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, was " + port);
        }
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(headerReadTimeout, "headerReadTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(http2, "http2");
    }

    /** A plain HTTP/1.1 listener (tests, the demo). */
    public ListenerConfig(String name, String host, int port, Limits limits, Duration headerReadTimeout,
            Duration idleTimeout) {
        this(name, host, port, limits, headerReadTimeout, idleTimeout, null, Http2.DEFAULT, null);
    }

    /** A listener without trusted proxies or a security policy. */
    public ListenerConfig(String name, String host, int port, Limits limits, Duration headerReadTimeout,
            Duration idleTimeout, Tls tls, Http2 http2, RedirectHttps redirectHttps) {
        this(name, host, port, limits, headerReadTimeout, idleTimeout, tls, http2, redirectHttps, List.of(),
                PolicyConfig.NONE, null);
    }

    /**
     * Connection-level protection: past a limit a new connection is closed at once, before a byte is read.
     *
     * @param maxConnections        open connections on this listener; 0 = no limit
     * @param maxPerClient          open connections from one client address; 0 = no limit
     * @param newPerSecond          new connections per second from one client address; 0 = no limit
     * @param newBurst              how many new connections one client may open at once
     * @param maxRequestsPerConnection requests served on one connection, the last answered with
     *                              {@code Connection: close} (HTTP/1.1) or followed by GOAWAY (HTTP/2); 0 = no
     *                              limit
     */
    public record Connections(int maxConnections, int maxPerClient, double newPerSecond, int newBurst,
            int maxRequestsPerConnection) {
    }

    /**
     * TLS termination.
     *
     * @param certificates      PEM certificate chains with their keys; the first also answers clients without SNI
     *                          or with a name no certificate covers
     * @param protocols         JDK protocol names, default TLSv1.3 and TLSv1.2
     * @param ciphers           IANA cipher suite names, default Mozilla "intermediate"
     * @param clientAuth        whether clients must present a certificate signed by {@code clientCa}
     * @param clientCa          PEM bundle of CAs trusted for client certificates; required unless clientAuth is NONE
     * @param clientCertHeader  the request header that carries the verified client identity upstream, or null for
     *                          none; a client-sent copy is removed in any case
     * @param hsts              the {@code Strict-Transport-Security} header added to responses, or null
     * @param reloadInterval    how often certificate files are checked for changes (besides file-system events)
     */
    public record Tls(
            List<Certificate> certificates,
            List<String> protocols,
            List<String> ciphers,
            ClientAuth clientAuth,
            Path clientCa,
            String clientCertHeader,
            Hsts hsts,
            Duration reloadInterval) {
        public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(30);
        public static final String DEFAULT_CLIENT_CERT_HEADER = "x-forwarded-client-cert";

        public Tls {
            certificates = List.copyOf(certificates);
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("tls.certificates must not be empty");
            }
            protocols = List.copyOf(protocols);
            ciphers = List.copyOf(ciphers);
            Objects.requireNonNull(clientAuth, "clientAuth");
            Objects.requireNonNull(reloadInterval, "reloadInterval");
        }
    }

    /** One certificate chain (leaf first) and its private key, both PEM files. */
    public record Certificate(Path cert, Path key) {
        public Certificate {
            Objects.requireNonNull(cert, "cert");
            Objects.requireNonNull(key, "key");
        }
    }

    /** Client certificates: not asked for, asked for and verified when sent, or required. */
    public enum ClientAuth { NONE, OPTIONAL, REQUIRE }

    /** {@code Strict-Transport-Security: max-age=...; includeSubDomains; preload}. */
    public record Hsts(Duration maxAge, boolean includeSubdomains, boolean preload) {
        public String headerValue() {
            return "max-age=" + maxAge.toSeconds() + (includeSubdomains ? "; includeSubDomains" : "")
                    + (preload ? "; preload" : "");
        }
    }

    /**
     * HTTP/2 on this listener and the limits that protect it.
     *
     * @param enabled                offer {@code h2} by ALPN on a TLS listener
     * @param h2c                    accept prior-knowledge cleartext HTTP/2 on a plain listener
     * @param maxConcurrentStreams   SETTINGS_MAX_CONCURRENT_STREAMS; streams beyond it are refused
     * @param initialWindowSize      the per-stream receive window announced to clients
     * @param maxResets              RST_STREAM frames a client may send per {@code resetWindow} before the connection
     *                               is closed with ENHANCE_YOUR_CALM (rapid reset, CVE-2023-44487)
     * @param resetWindow            the window of {@code maxResets}
     * @param maxQueuedControlFrames PING/SETTINGS acknowledgements queued for a client that does not read them
     */
    public record Http2(boolean enabled, boolean h2c, int maxConcurrentStreams, int initialWindowSize,
            int maxResets, Duration resetWindow, int maxQueuedControlFrames) {
        public static final Http2 DEFAULT = new Http2(true, false, 100, 1024 * 1024, 200, Duration.ofSeconds(30),
                10_000);
    }

    /** A listener that only redirects to HTTPS on {@code port} (443 is left out of the location). */
    public record RedirectHttps(int port) {}

    /**
     * @param maxRequestLine bytes in the request line, beyond which the answer is 414
     * @param maxHeaderSize  bytes in the whole header section, beyond which the answer is 431
     * @param maxHeaderField bytes in one header field line (name + value), beyond which the answer is 431
     * @param maxBodySize    default request body limit for routes that set none (413)
     */
    public record Limits(int maxRequestLine, int maxHeaderSize, int maxHeaderField, long maxBodySize) {
        public static final Limits DEFAULT = new Limits(8192, 32 * 1024, 16 * 1024, 10L * 1024 * 1024);
    }

    public static final Duration DEFAULT_HEADER_READ_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
}
