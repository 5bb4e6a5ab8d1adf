package io.portcullis.tls;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

/** A PEM file of trusted CA certificates: client CAs of a listener, server CAs of a cluster. */
public final class TrustBundle {
    private TrustBundle() {}

    /** Every certificate of {@code file}; a file without one is refused, naming it. */
    public static List<X509Certificate> load(Path file) throws TlsConfigException {
        List<X509Certificate> certificates = PemFile.read(file).certificates();
        if (certificates.isEmpty()) {
            throw new TlsConfigException(file, "no CERTIFICATE block in the CA bundle");
        }
        return certificates;
    }
}
