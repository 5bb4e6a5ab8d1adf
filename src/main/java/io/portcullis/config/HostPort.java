package io.portcullis.config;

import java.util.regex.Pattern;

/**
 * A parsed {@code host:port} or {@code [ipv6]:port} string, as written for listener addresses and cluster endpoints.
 *
 * <p>Shared by {@link SemanticValidator}, which reports the parse errors, and {@link ConfigBinder}, which turns
 * valid addresses into records. IPv6 hosts are kept without brackets.
 */
record HostPort(String host, int port) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9._-]+)?");

    /**
     * @param minPort the lowest acceptable port (0 for listeners, 1 for endpoints)
     * @throws IllegalArgumentException saying what was expected
     */
    static HostPort parse(String text, int minPort) {
        String expected = "expected host:port or [ipv6]:port with port " + minPort + "..65535, was '" + text + "'";
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf("]:");
            if (close < 0) {
                throw new IllegalArgumentException(expected);
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
            if (!IPV6.matcher(host).matches() || host.indexOf(':') < 0) {
                throw new IllegalArgumentException("'" + host + "' is not an IPv6 address; " + expected);
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("missing port; " + expected);
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException("IPv6 addresses must be bracketed; " + expected);
            }
            if (!NAME.matcher(host).matches()) {
                throw new IllegalArgumentException("invalid host '" + host + "'; " + expected);
            }
        }
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("invalid port '" + port + "'; " + expected);
        }
        int number = Integer.parseInt(port);
        if (number < minPort || number > 65535) {
            throw new IllegalArgumentException("port " + number + " out of range; " + expected);
        }
        return new HostPort(host, number);
    }
}
