package io.portcullis.tls;

import java.nio.file.Path;

/**
 * A certificate, key or TLS setting that cannot be used; thrown while the config is loaded, never on the request
 * path. The message starts with the file at fault: {@code server.key: private key does not match the certificate
 * in server.crt}.
 */
public final class TlsConfigException extends Exception {
    private final Path file;

    public TlsConfigException(Path file, String reason) {
        super(file + ": " + reason);
        this.file = file;
    }

    public TlsConfigException(Path file, String reason, Throwable cause) {
        super(file + ": " + reason, cause);
        this.file = file;
    }

    /** The certificate or key file the problem is in. */
    public Path file() {
        return file;
    }
}
