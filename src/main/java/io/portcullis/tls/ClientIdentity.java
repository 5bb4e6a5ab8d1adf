package io.portcullis.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

/**
 * The verified certificate a client presented on a mutual-TLS connection: its subject, its subject alternative
 * names and the SHA-256 fingerprint of its DER encoding. Built once per connection, after the handshake; read by
 * filters (authorization by identity) and forwarded upstream in one header.
 *
 * @param subject     the subject's distinguished name (RFC 2253)
 * @param dnsNames    DNS subject alternative names
 * @param uris        URI subject alternative names (SPIFFE IDs, for example)
 * @param sha256      lower-case hex SHA-256 of the certificate
 */
public record ClientIdentity(String subject, List<String> dnsNames, List<String> uris, String sha256) {
    private static final int SAN_DNS = 2;
    private static final int SAN_URI = 6;

    public ClientIdentity {
        dnsNames = List.copyOf(dnsNames);
        uris = List.copyOf(uris);
    }

    public static ClientIdentity of(X509Certificate certificate) {
        List<String> dns = new ArrayList<>();
        List<String> uris = new ArrayList<>();
        try {
            Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    int type = (Integer) san.get(0);
                    if (type == SAN_DNS) {
                        dns.add((String) san.get(1));
                    } else if (type == SAN_URI) {
                        uris.add((String) san.get(1));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // a certificate the handshake accepted but whose SAN extension the JDK cannot read: no names
        }
        String fingerprint;
        try {
            fingerprint = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint a verified certificate", e);
        }
        return new ClientIdentity(certificate.getSubjectX500Principal().getName(), dns, uris, fingerprint);
    }

    /**
     * The header value forwarded upstream, in the shape of Envoy's {@code x-forwarded-client-cert}:
     * {@code Hash=<hex>;Subject="<dn>";URI=<uri>;DNS=<name>;DNS=<name>}. Quotes and backslashes in the subject are
     * escaped; names are from a certificate the gateway verified, so they carry no separators of their own.
     */
    public String headerValue() {
        StringBuilder sb = new StringBuilder(128).append("Hash=").append(sha256).append(";Subject=\"");
        for (int i = 0; i < subject.length(); i++) {
            char c = subject.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            if (c >= 0x20 && c != 0x7f) {
                sb.append(c);
            }
        }
        sb.append('"');
        uris.forEach(u -> sb.append(";URI=").append(sanitize(u)));
        dnsNames.forEach(d -> sb.append(";DNS=").append(sanitize(d)));
        return sb.toString();
    }

    /** Drops what could end the field or the header: separators, quotes, controls. */
    private static String sanitize(String value) {
        StringBuilder sb = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c > 0x20 && c < 0x7f && c != ';' && c != ',' && c != '"') {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
