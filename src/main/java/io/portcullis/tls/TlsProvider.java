package io.portcullis.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

/**
 * The TLS engine behind every {@code SslContext} of the gateway: OpenSSL (netty-tcnative's BoringSSL) when it loads,
 * the JDK's otherwise (and when forced with {@code -Dportcullis.tls.jdk=true}, for tests), the way
 * {@code server.Transport} picks epoll or NIO. {@link #name()} goes into the start-up log line.
 *
 * @param name {@code "openssl"} or {@code "jdk"}
 * @param sslProvider the Netty provider handed to {@code SslContextBuilder}
 */
public record TlsProvider(String name, SslProvider sslProvider) {

    public static TlsProvider selected() {
        if (!Boolean.getBoolean("portcullis.tls.jdk") && OpenSsl.isAvailable()) {
            return openSsl();
        }
        return jdk();
    }

    public static TlsProvider openSsl() {
        return new TlsProvider("openssl", SslProvider.OPENSSL);
    }

    public static TlsProvider jdk() {
        return new TlsProvider("jdk", SslProvider.JDK);
    }

    /** Why OpenSSL is not in use, for the start-up log when the JDK was chosen; null when it loaded. */
    public static Throwable openSslUnavailabilityCause() {
        return OpenSsl.unavailabilityCause();
    }
}
