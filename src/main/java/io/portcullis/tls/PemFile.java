package io.portcullis.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code -----BEGIN X-----} blocks of one PEM file, read once; every failure names the file. */
final class PemFile {
    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

    /** One decoded block; {@code encrypted} marks a legacy {@code Proc-Type: 4,ENCRYPTED} header. */
    record Block(String label, byte[] der, boolean encrypted) {}

    private final Path path;
    private final List<Block> blocks;

    private PemFile(Path path, List<Block> blocks) {
        this.path = path;
        this.blocks = blocks;
    }

    static PemFile read(Path path) throws TlsConfigException {
        String text;
        try {
            // Latin-1 maps every byte, so a binary file fails below as "no PEM block" rather than as a charset error.
            text = Files.readString(path, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new TlsConfigException(path, "file not found", e);
        } catch (AccessDeniedException e) {
            throw new TlsConfigException(path, "file not readable (permission denied)", e);
        } catch (IOException e) {
            throw new TlsConfigException(path, "cannot read file: " + e, e);
        }
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String body = m.group(2);
            boolean encrypted = body.contains("Proc-Type:") && body.contains("ENCRYPTED");
            byte[] der = new byte[0];
            if (!encrypted) {
                try {
                    der = Base64.getMimeDecoder().decode(body.strip());
                } catch (IllegalArgumentException e) {
                    throw new TlsConfigException(path, "bad base64 in the " + m.group(1) + " block", e);
                }
                if (der.length == 0) {
                    throw new TlsConfigException(path, "empty " + m.group(1) + " block");
                }
            }
            blocks.add(new Block(m.group(1), der, encrypted));
        }
        if (blocks.isEmpty()) {
            throw new TlsConfigException(path, "no PEM block (-----BEGIN ...-----) found");
        }
        return new PemFile(path, blocks);
    }

    Path path() {
        return path;
    }

    List<Block> blocks() {
        return blocks;
    }

    /** Every CERTIFICATE block in file order, which for a chain file is leaf first. */
    List<X509Certificate> certificates() throws TlsConfigException {
        List<X509Certificate> certificates = new ArrayList<>();
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("the JDK always has an X.509 certificate factory", e);
        }
        for (Block block : blocks) {
            if (!block.label().equals("CERTIFICATE")) {
                continue;
            }
            try {
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
            } catch (CertificateException e) {
                throw new TlsConfigException(path,
                        "certificate " + (certificates.size() + 1) + " is not a valid X.509 certificate: "
                                + e.getMessage(), e);
            }
        }
        if (certificates.isEmpty()) {
            throw new TlsConfigException(path, "no CERTIFICATE block found");
        }
        return List.copyOf(certificates);
    }
}
