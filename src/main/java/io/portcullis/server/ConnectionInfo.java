package io.portcullis.server;

import io.netty.util.AsciiString;
import io.portcullis.filter.Peer;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import io.portcullis.config.ListenerConfig;
import io.portcullis.tls.ClientIdentity;

/**
 * What every request of one downstream connection shares about how it arrived: TLS or not, the verified client
 * certificate, HTTP/2 or HTTP/1.x, and the listener's edge headers. One per connection (shared by its HTTP/2
 * streams), built once the protocol is known.
 *
 * @param scheme           {@code https} or {@code http}, for {@code X-Forwarded-Proto}
 * @param identity         the verified client certificate, or null
 * @param http2            the requests are HTTP/2 streams mapped to HTTP/1.1 messages
 * @param hsts             the {@code Strict-Transport-Security} value added to responses, or null
 * @param clientCertHeader the header that forwards {@code identity} upstream, or null for none
 * @param identityValue    {@code identity} formatted for that header, or null
 * @param peer             who is on the other end, for filters; null in the shared instances (the handler makes it)
 */
record ConnectionInfo(String scheme, ClientIdentity identity, boolean http2, String hsts,
        AsciiString clientCertHeader, String identityValue, Peer peer) {
    /** Removed from every request, so a client cannot pose as a verified one. */
    static final AsciiString DEFAULT_CLIENT_CERT_HEADER =
            AsciiString.cached(ListenerConfig.Tls.DEFAULT_CLIENT_CERT_HEADER);

    static final ConnectionInfo PLAIN_HTTP1 = new ConnectionInfo("http", null, false, null, null, null, null);

    /**
     * The info of one connection. HTTP/2 connections get their {@link Peer} here, once, since every stream's
     * handler would otherwise format the client address again.
     */
    static ConnectionInfo of(ListenerConfig listener, ClientIdentity identity, boolean http2, SocketAddress remote) {
        ListenerConfig.Tls tls = listener.tls();
        Peer peer = http2 ? new Peer(clientIp(remote), tls != null, identity) : null;
        if (tls == null) {
            return http2 ? new ConnectionInfo("http", null, true, null, null, null, peer) : PLAIN_HTTP1;
        }
        AsciiString header = tls.clientCertHeader() == null ? null : AsciiString.of(tls.clientCertHeader());
        return new ConnectionInfo("https", identity, http2, tls.hsts() == null ? null : tls.hsts().headerValue(),
                header, identity == null || header == null ? null : identity.headerValue(), peer);
    }

    /** The client's IP address as text, or {@code unknown}. */
    static String clientIp(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : "unknown";
    }
}
