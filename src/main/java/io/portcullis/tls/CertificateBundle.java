package io.portcullis.tls;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * One certificate chain and its private key, loaded from PEM files and checked before any listener uses them: the
 * chain is in order (each certificate signed by the next), the key belongs to the leaf, and the leaf is valid now.
 * Immutable; {@link SniContexts} turns each bundle into one {@code SslContext}.
 *
 * <p>The key may be PKCS#8, PKCS#1 (RSA) or SEC1 (EC), unencrypted.
 */
public final class CertificateBundle {
    private static final int SAN_DNS_NAME = 2;

    private final Path certificateFile;
    private final Path privateKeyFile;
    private final List<X509Certificate> chain;
    private final PrivateKey privateKey;
    private final List<String> dnsNames;

    private CertificateBundle(Path certificateFile, Path privateKeyFile, List<X509Certificate> chain,
            PrivateKey privateKey, List<String> dnsNames) {
        this.certificateFile = certificateFile;
        this.privateKeyFile = privateKeyFile;
        this.chain = chain;
        this.privateKey = privateKey;
        this.dnsNames = dnsNames;
    }

    /**
     * Loads a chain (leaf first, then intermediates) and the leaf's key.
     *
     * @param clock the time the leaf must be valid at
     * @throws TlsConfigException naming the file at fault and why
     */
    public static CertificateBundle load(Path certificateFile, Path privateKeyFile, Clock clock)
            throws TlsConfigException {
        List<X509Certificate> chain = PemFile.read(certificateFile).certificates();
        PrivateKey key = PrivateKeys.read(PemFile.read(privateKeyFile));
        checkOrder(certificateFile, chain);
        X509Certificate leaf = chain.get(0);
        checkKeyMatches(privateKeyFile, key, certificateFile, leaf.getPublicKey());
        Instant now = clock.instant();
        if (now.isAfter(leaf.getNotAfter().toInstant())) {
            throw new TlsConfigException(certificateFile, "certificate expired at " + leaf.getNotAfter().toInstant());
        }
        if (now.isBefore(leaf.getNotBefore().toInstant())) {
            throw new TlsConfigException(certificateFile,
                    "certificate not valid before " + leaf.getNotBefore().toInstant());
        }
        return new CertificateBundle(certificateFile, privateKeyFile, chain, key, dnsNames(certificateFile, leaf));
    }

    public Path certificateFile() {
        return certificateFile;
    }

    public Path privateKeyFile() {
        return privateKeyFile;
    }

    /** Leaf first, as sent to clients. */
    public List<X509Certificate> chain() {
        return chain;
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    /** The leaf's SAN dNSName entries, lower case; its subject CN only when it has none. May hold {@code *.} names. */
    public List<String> dnsNames() {
        return dnsNames;
    }

    public Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    @Override
    public String toString() {
        return "CertificateBundle[" + certificateFile + ", names=" + dnsNames + ", notAfter=" + notAfter() + "]";
    }

    private static void checkOrder(Path file, List<X509Certificate> chain) throws TlsConfigException {
        for (int i = 0; i + 1 < chain.size(); i++) {
            try {
                chain.get(i).verify(chain.get(i + 1).getPublicKey());
            } catch (GeneralSecurityException e) {
                throw new TlsConfigException(file, "certificate " + (i + 1) + " (" + chain.get(i)
                        .getSubjectX500Principal() + ") is not signed by certificate " + (i + 2) + " ("
                        + chain.get(i + 1).getSubjectX500Principal() + "); the chain must be leaf first, in order", e);
            }
        }
    }

    /** Signs a random challenge with the key and verifies it with the leaf's public key: works for RSA and EC alike. */
    private static void checkKeyMatches(Path keyFile, PrivateKey key, Path certificateFile, PublicKey publicKey)
            throws TlsConfigException {
        String mismatch = "private key does not match the certificate in " + certificateFile;
        if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
            throw new TlsConfigException(keyFile, mismatch + " (" + key.getAlgorithm() + " key, "
                    + publicKey.getAlgorithm() + " certificate)");
        }
        String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        boolean matches;
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            // An EC key on another curve than the certificate's fails here rather than in verify().
            throw new TlsConfigException(keyFile, mismatch + " (" + e.getMessage() + ")", e);
        }
        if (!matches) {
            throw new TlsConfigException(keyFile, mismatch);
        }
    }

    private static List<String> dnsNames(Path file, X509Certificate leaf) throws TlsConfigException {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (((Integer) san.get(0)) == SAN_DNS_NAME) {
                        names.add(((String) san.get(1)).toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            throw new TlsConfigException(file, "unreadable subjectAltName extension: " + e.getMessage(), e);
        }
        if (names.isEmpty()) {
            String cn = commonName(leaf);
            if (cn != null) {
                names.add(cn.toLowerCase(Locale.ROOT));
            }
        }
        if (names.isEmpty()) {
            throw new TlsConfigException(file, "the certificate names no host (no SAN dNSName and no CN)");
        }
        return List.copyOf(names);
    }

    private static String commonName(X509Certificate leaf) {
        try {
            LdapName subject = new LdapName(leaf.getSubjectX500Principal().getName());
            for (Rdn rdn : subject.getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    Object value = rdn.getValue();
                    return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : value.toString();
                }
            }
        } catch (InvalidNameException e) {
            // RFC 2253 output of X500Principal always parses; no CN is the only outcome worth reporting.
            return null;
        }
        return null;
    }
}
