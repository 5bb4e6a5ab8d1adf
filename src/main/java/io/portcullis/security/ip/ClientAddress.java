package io.portcullis.security.ip;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * The address of the client a request came from, as the IP filter and the access log should see it: the socket
 * peer, unless the peer is a trusted proxy, in which case the forwarding header that proxy appended is walked from
 * the right. Runs on the event loop, once per request; with no trusted proxies it returns the peer without looking
 * at a header.
 *
 * <p><b>The walk.</b> Every proxy appends the address it received the request from, so the right end of the list is
 * what trusted proxies wrote and the left end is whatever the client sent. Starting from the peer, each hop from
 * the right that is itself a trusted proxy is skipped; the first one that is not is the client. A client cannot
 * win by sending addresses of its own: they sit left of the hop a trusted proxy appended for it. When every hop is
 * trusted the leftmost is the client. A hop that is no address ({@code unknown}, an obfuscated {@code _id}, garbage,
 * an empty entry) stops the walk, and the nearest trusted address seen so far (the peer, or the last trusted hop)
 * is the answer: garbage is never returned, and it can only be reached through trusted hops anyway.
 *
 * <p><b>Which header.</b> A proxy appends to one header and passes the other through untouched, so the other one
 * is the client's to write. {@link #resolve(String, List, List, IpMatcher)} therefore uses {@code X-Forwarded-For}
 * when the request has it and {@code Forwarded} only when it has no {@code X-Forwarded-For}: nearly every proxy and
 * cloud load balancer appends {@code X-Forwarded-For}, and preferring {@code Forwarded} would let any client behind
 * them name its own address with a {@code Forwarded} header. Behind a proxy that writes only {@code Forwarded},
 * configure that and call {@link #fromForwarded}, since a client could then send an {@code X-Forwarded-For}.
 */
public final class ClientAddress {
    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    private static final AsciiString FORWARDED = AsciiString.cached("forwarded");

    private ClientAddress() {}

    /**
     * The client address: {@code X-Forwarded-For} when present, else {@code Forwarded}, walked as described above.
     *
     * @param peer           the socket peer's address text, as {@code InetAddress.getHostAddress()} gives it
     * @param xForwardedFor  every {@code X-Forwarded-For} line in order (each may be a comma list); null or empty
     *                       when absent
     * @param forwarded      every {@code Forwarded} line in order; null or empty when absent
     * @param trustedProxies the proxies whose headers are believed; empty trusts none (the default)
     */
    public static String resolve(String peer, List<String> xForwardedFor, List<String> forwarded,
            IpMatcher trustedProxies) {
        return xForwardedFor != null && !xForwardedFor.isEmpty()
                ? fromXForwardedFor(peer, xForwardedFor, trustedProxies)
                : fromForwarded(peer, forwarded, trustedProxies);
    }

    /** {@link #resolve(String, List, List, IpMatcher)} reading both headers from {@code headers}. */
    public static String resolve(String peer, HttpHeaders headers, IpMatcher trustedProxies) {
        IpSet trusted = trustedProxies.current();
        if (trusted.isEmpty()) {
            return peer; // no header read, no list allocated
        }
        List<String> xff = headers.getAll(X_FORWARDED_FOR);
        return !xff.isEmpty() ? walk(peer, xff, trusted, false)
                : walk(peer, headers.getAll(FORWARDED), trusted, true);
    }

    /** The client from {@code X-Forwarded-For} alone; any {@code Forwarded} header is the client's and ignored. */
    public static String fromXForwardedFor(String peer, List<String> values, IpMatcher trustedProxies) {
        return walk(peer, values, trustedProxies.current(), false);
    }

    /** The client from RFC 7239 {@code Forwarded: for=} alone; any {@code X-Forwarded-For} is ignored. */
    public static String fromForwarded(String peer, List<String> values, IpMatcher trustedProxies) {
        return walk(peer, values, trustedProxies.current(), true);
    }

    private static String walk(String peer, List<String> lines, IpSet trusted, boolean forwarded) {
        if (trusted.isEmpty() || lines == null || lines.isEmpty()
                || trusted.lookup(peer, 0, peer.length()) != IpSet.INSIDE) {
            return peer;
        }
        // The nearest trusted address so far: the peer, then each trusted hop; copied out only when returned.
        String nearest = null;
        long nearestSpan = 0;
        for (int l = lines.size() - 1; l >= 0; l--) {
            String line = lines.get(l);
            int end = line.length();
            while (true) {
                int comma = line.lastIndexOf(',', end - 1);
                long span = forwarded ? HopSyntax.forwardedFor(line, comma + 1, end)
                        : HopSyntax.xForwardedFor(line, comma + 1, end);
                if (span == HopSyntax.NONE) {
                    return text(peer, nearest, nearestSpan);
                }
                int from = HopSyntax.from(span);
                int to = HopSyntax.to(span);
                int found = trusted.lookup(line, from, to);
                if (found == IpSet.INVALID) {
                    return text(peer, nearest, nearestSpan);
                }
                if (found == IpSet.OUTSIDE) {
                    return line.substring(from, to);
                }
                nearest = line;
                nearestSpan = span;
                if (comma < 0) {
                    break;
                }
                end = comma;
            }
        }
        return text(peer, nearest, nearestSpan); // every hop trusted: the leftmost
    }

    private static String text(String peer, String line, long span) {
        return line == null ? peer : line.substring(HopSyntax.from(span), HopSyntax.to(span));
    }
}
