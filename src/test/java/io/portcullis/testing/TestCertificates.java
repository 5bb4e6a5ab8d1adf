package io.portcullis.testing;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Throw-away certificate authorities and the leaf certificates they issue, minted with Bouncy Castle when a test
 * runs, so no key material is checked in and nothing expires in the repository. PEM files come out in the formats
 * operators hand the gateway: PKCS#8, or "traditional" PKCS#1 (RSA) and SEC1 (EC).
 *
 * <pre>{@code
 * Authority root = TestCertificates.rootCa("Test Root", KeyType.RSA);
 * Authority intermediate = root.intermediate("Test Intermediate", KeyType.EC);
 * Issued leaf = intermediate.issue(KeyType.RSA, "a.example.com", "*.example.org");
 * leaf.writeChain(dir.resolve("server.crt"));
 * leaf.writeKey(dir.resolve("server.key"), KeyFormat.TRADITIONAL);
 * }</pre>
 */
public final class TestCertificates {
    /** Test certificates are valid from a day ago for 30 days unless a test says otherwise. */
    public static final Duration DEFAULT_AGE = Duration.ofDays(1);
    public static final Duration DEFAULT_LIFETIME = Duration.ofDays(30);
    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

    public enum KeyType { RSA, EC }

    /** PKCS8: {@code PRIVATE KEY}; TRADITIONAL: {@code RSA PRIVATE KEY} (PKCS#1) or {@code EC PRIVATE KEY} (SEC1). */
    public enum KeyFormat { PKCS8, TRADITIONAL }

    private TestCertificates() {}

    public static Authority rootCa(String name, KeyType type) {
        KeyPair keys = generate(type);
        Instant now = Instant.now();
        X509Certificate certificate = sign(new X500Name("CN=" + name), new X500Name("CN=" + name), keys, keys, type,
                now.minus(DEFAULT_AGE), now.plus(Duration.ofDays(365)), true, List.of());
        return new Authority(certificate, keys, type, List.of());
    }

    public static KeyPair generate(KeyType type) {
        try {
            if (type == KeyType.RSA) {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
                return generator.generateKeyPair();
            }
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A CA; {@code chainAbove} holds the intermediates between it and the root, itself first, root excluded. */
    public record Authority(X509Certificate certificate, KeyPair keys, KeyType keyType,
            List<X509Certificate> chainAbove) {

        public Authority intermediate(String name, KeyType type) {
            KeyPair intermediateKeys = generate(type);
            Instant now = Instant.now();
            X509Certificate cert = sign(new X500Name("CN=" + name), subject(), intermediateKeys, keys, keyType,
                    now.minus(DEFAULT_AGE), now.plus(Duration.ofDays(365)), true, List.of());
            List<X509Certificate> chain = new ArrayList<>();
            chain.add(cert);
            chain.addAll(chainAbove);
            return new Authority(cert, intermediateKeys, type, List.copyOf(chain));
        }

        /** A leaf valid now, with the DNS names as SANs and the first as CN. */
        public Issued issue(KeyType type, String... dnsNames) {
            Instant now = Instant.now();
            return issue(type, now.minus(DEFAULT_AGE), now.plus(DEFAULT_LIFETIME), "CN=" + dnsNames[0],
                    List.of(dnsNames));
        }

        /** A leaf with any validity window (expired, not yet valid), subject and SANs (empty: none at all). */
        public Issued issue(KeyType type, Instant notBefore, Instant notAfter, String subject, List<String> dnsNames) {
            KeyPair leafKeys = generate(type);
            X509Certificate cert = sign(new X500Name(subject), subject(), leafKeys, keys, keyType, notBefore,
                    notAfter, false, dnsNames);
            List<X509Certificate> chain = new ArrayList<>();
            chain.add(cert);
            chain.addAll(chainAbove);
            return new Issued(cert, leafKeys, List.copyOf(chain));
        }

        private X500Name subject() {
            return new X500Name(certificate.getSubjectX500Principal().getName());
        }
    }

    /** A leaf certificate, its keys, and the chain a server sends (leaf, then intermediates; no root). */
    public record Issued(X509Certificate certificate, KeyPair keys, List<X509Certificate> chain) {
        public Path writeChain(Path file) {
            return writePem(file, chain.toArray());
        }

        public Path writeLeafOnly(Path file) {
            return writePem(file, certificate);
        }

        public Path writeKey(Path file, KeyFormat format) {
            try {
                if (format == KeyFormat.PKCS8) {
                    return writePem(file, new JcaPKCS8Generator(keys.getPrivate(), null).generate());
                }
                if (keys.getPrivate().getAlgorithm().equals("RSA")) {
                    return writePem(file, keys.getPrivate()); // JcaPEMWriter writes a bare RSA key as PKCS#1
                }
                return writePem(file, new PemObject("EC PRIVATE KEY", sec1(keys)));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /**
         * SEC1 as {@code openssl ecparam -genkey} writes it, curve and public key included. Bouncy Castle's own
         * writer copies the JDK's inner key, which leaves the curve out (it lives in the PKCS#8 wrapper).
         */
        private static byte[] sec1(KeyPair keys) throws IOException {
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
            ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
            byte[] point = SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()).getPublicKeyData()
                    .getBytes();
            return new ECPrivateKey(256, inner.getKey(), new DERBitString(point),
                    info.getPrivateKeyAlgorithm().getParameters()).getEncoded();
        }
    }

    public static Path writePem(Path file, Object... objects) {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
                JcaPEMWriter pem = new JcaPEMWriter(out)) {
            for (Object object : objects) {
                pem.writeObject(object);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file, e);
        }
        return file;
    }

    private static X509Certificate sign(X500Name subject, X500Name issuer, KeyPair subjectKeys, KeyPair issuerKeys,
            KeyType issuerType, Instant notBefore, Instant notAfter, boolean ca, List<String> dnsNames) {
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                    BigInteger.valueOf(SERIALS.incrementAndGet()), Date.from(notBefore), Date.from(notAfter), subject,
                    subjectKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (ca) {
                builder.addExtension(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            } else {
                builder.addExtension(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
                builder.addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth,
                                KeyPurposeId.id_kp_clientAuth}));
                if (!dnsNames.isEmpty()) {
                    // IP literals become IP SANs, names with a scheme URI SANs (SPIFFE IDs), the rest DNS names.
                    GeneralName[] names = dnsNames.stream()
                            .map(name -> name.matches("[0-9.]+|.*:.*:.*") && !name.contains("://")
                                    ? new GeneralName(GeneralName.iPAddress, name)
                                    : name.contains("://") ? new GeneralName(GeneralName.uniformResourceIdentifier, name)
                                    : new GeneralName(GeneralName.dNSName, name))
                            .toArray(GeneralName[]::new);
                    builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
                }
            }
            String algorithm = issuerType == KeyType.RSA ? "SHA256withRSA" : "SHA256withECDSA";
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(algorithm).build(issuerKeys.getPrivate())));
        } catch (CertIOException | OperatorCreationException | java.security.cert.CertificateException e) {
            throw new IllegalStateException(e);
        }
    }
}
