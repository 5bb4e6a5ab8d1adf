package io.portcullis.security.cors;

/**
 * One entry of a CORS origin allowlist: an exact origin ({@code https://app.example.com}) or one with a wildcard
 * for any subdomain ({@code https://*.example.com}, which matches {@code https://a.example.com} and
 * {@code https://a.b.example.com} but not {@code https://example.com}, nor another scheme or port). The wildcard
 * must cover at least two labels ({@code *.com} is refused) because a suffix that short trusts strangers.
 */
record OriginPattern(String scheme, String host, int port, boolean subdomains) {

    /** Parses a config entry; the message names the entry and says what form is expected. */
    static OriginPattern parse(String entry) {
        if (entry.equals("null")) {
            throw new IllegalArgumentException("allowed origin 'null' is the opaque origin of sandboxed documents"
                    + " and local files, which anyone can create; it cannot be allowlisted");
        }
        boolean subdomains = false;
        String text = entry;
        int sep = entry.indexOf("://");
        if (sep > 0 && entry.startsWith("*.", sep + 3)) {
            subdomains = true;
            text = entry.substring(0, sep + 3) + entry.substring(sep + 5);
        }
        Origin origin = Origin.parse(text);
        if (origin == null || text.indexOf('*') >= 0) {
            throw new IllegalArgumentException("allowed origin '" + entry + "' must be '*', scheme://host[:port]"
                    + " or scheme://*.domain[:port], without a path or trailing slash");
        }
        if (subdomains && origin.host().indexOf('.') < 0) {
            throw new IllegalArgumentException("allowed origin '" + entry
                    + "' is too broad: a wildcard must be followed by at least two labels, as in *.example.com");
        }
        return new OriginPattern(origin.scheme(), origin.host(), origin.port(), subdomains);
    }

    boolean matches(Origin origin) {
        if (!scheme.equals(origin.scheme()) || port != origin.port()) {
            return false;
        }
        if (!subdomains) {
            return host.equals(origin.host());
        }
        String candidate = origin.host();
        return candidate.length() > host.length() + 1
                && candidate.endsWith(host)
                && candidate.charAt(candidate.length() - host.length() - 1) == '.';
    }

    @Override
    public String toString() {
        String shown = subdomains ? "*." + host : host;
        return port == Origin.defaultPort(scheme) ? scheme + "://" + shown : scheme + "://" + shown + ":" + port;
    }
}
