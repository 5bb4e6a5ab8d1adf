package io.portcullis.security.jwt;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM public keys as JWKs, with the JDK alone (BouncyCastle is only a test dependency here). Accepts
 * {@code PUBLIC KEY} (SubjectPublicKeyInfo) and {@code CERTIFICATE} blocks holding RSA, EC P-256/384/521 or Ed25519
 * keys; a certificate's validity dates are not checked, it is only a key container. Private keys are refused
 * rather than silently reduced to their public half, since one in the gateway's config is a leak to fix.
 */
final class PemKeys {
    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
    private static final String[] KEY_ALGORITHMS = {"RSA", "EC", "Ed25519"};

    private PemKeys() {
    }

    static List<JWK> parse(Path file, String pem) throws IOException {
        List<JWK> keys = new ArrayList<>();
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            String type = m.group(1);
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2));
            } catch (IllegalArgumentException e) {
                throw KeyFiles.fail(file, "PEM block " + keys.size() + " (" + type + ") is not valid base64");
            }
            keys.add(toJwk(file, type, der));
        }
        if (keys.isEmpty()) {
            throw KeyFiles.fail(file, "no complete PEM block (-----BEGIN ...----- to its -----END ...-----)");
        }
        return keys;
    }

    private static JWK toJwk(Path file, String type, byte[] der) throws IOException {
        if (type.contains("PRIVATE KEY")) {
            throw KeyFiles.fail(file, "holds a private key (" + type + "); give the public key only");
        }
        PublicKey key = switch (type) {
            case "PUBLIC KEY" -> spki(file, der);
            case "CERTIFICATE" -> certificateKey(file, der);
            case "RSA PUBLIC KEY" -> throw KeyFiles.fail(file, "PKCS#1 'RSA PUBLIC KEY' is not supported; "
                    + "convert it with: openssl rsa -RSAPublicKey_in -in FILE -pubout");
            default -> throw KeyFiles.fail(file, "unsupported PEM block " + type);
        };
        if (key instanceof RSAPublicKey rsa) {
            return new RSAKey.Builder(rsa).build();
        }
        if (key instanceof ECPublicKey ec) {
            Curve curve = Curve.forECParameterSpec(ec.getParams());
            if (curve == null) {
                throw KeyFiles.fail(file, "EC key on an unsupported curve");
            }
            return new ECKey.Builder(curve, ec).build();
        }
        if (key instanceof EdECPublicKey ed && "Ed25519".equals(ed.getParams().getName())) {
            byte[] encoded = key.getEncoded();
            byte[] raw = Arrays.copyOfRange(encoded, encoded.length - Ed25519JdkVerifier.RAW_KEY_BYTES, encoded.length);
            return new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(raw)).build();
        }
        throw KeyFiles.fail(file, "unsupported key type " + key.getAlgorithm());
    }

    /** SubjectPublicKeyInfo names its algorithm by OID; asking the JDK's factories in turn reads it for us. */
    private static PublicKey spki(Path file, byte[] der) throws IOException {
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // not this algorithm: try the next one
            }
        }
        throw KeyFiles.fail(file, "PUBLIC KEY is not an RSA, EC or Ed25519 key");
    }

    private static PublicKey certificateKey(Path file, byte[] der) throws IOException {
        try {
            return CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der)).getPublicKey();
        } catch (GeneralSecurityException e) {
            throw KeyFiles.fail(file, "unreadable CERTIFICATE: " + e.getMessage());
        }
    }
}
