package io.portcullis.tls;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads the one RSA or EC private key of a PEM file: PKCS#8 ({@code PRIVATE KEY}), PKCS#1
 * ({@code RSA PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}). The last two are rewrapped as PKCS#8 by hand, so
 * only the JDK's key factories are needed.
 */
final class PrivateKeys {
    private static final HexFormat HEX = HexFormat.of();
    /** AlgorithmIdentifier OIDs, DER-encoded: rsaEncryption (1.2.840.113549.1.1.1), id-ecPublicKey (1.2.840.10045.2.1). */
    private static final byte[] RSA_OID = HEX.parseHex("06092a864886f70d010101");
    private static final byte[] EC_OID = HEX.parseHex("06072a8648ce3d0201");
    private static final byte[] VERSION_0 = {Der.INTEGER, 1, 0};
    private static final byte[] DER_NULL = {Der.NULL, 0};
    private static final List<String> KEY_LABELS = List.of("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY");

    private PrivateKeys() {}

    static PrivateKey read(PemFile pem) throws TlsConfigException {
        PemFile.Block key = null;
        for (PemFile.Block block : pem.blocks()) {
            if (block.label().equals("ENCRYPTED PRIVATE KEY") || (block.encrypted() && block.label().endsWith(
                    "PRIVATE KEY"))) {
                throw new TlsConfigException(pem.path(), "encrypted private keys are not supported");
            }
            if (KEY_LABELS.contains(block.label())) {
                if (key != null) {
                    throw new TlsConfigException(pem.path(), "more than one private key in the file");
                }
                key = block;
            }
        }
        if (key == null) {
            throw new TlsConfigException(pem.path(), "no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block found");
        }
        try {
            return switch (key.label()) {
                case "RSA PRIVATE KEY" -> decode("RSA", rsaToPkcs8(key.der()));
                case "EC PRIVATE KEY" -> decode("EC", ecToPkcs8(key.der()));
                default -> decode(pkcs8Algorithm(pem, key.der()), key.der());
            };
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new TlsConfigException(pem.path(), "the " + key.label() + " block is not a valid key: "
                    + e.getMessage(), e);
        }
    }

    private static PrivateKey decode(String algorithm, byte[] pkcs8) throws GeneralSecurityException {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    }

    /** PrivateKeyInfo ::= SEQUENCE { version, AlgorithmIdentifier { algorithm OID, parameters }, OCTET STRING }. */
    private static String pkcs8Algorithm(PemFile pem, byte[] der) throws TlsConfigException {
        List<Der.Tlv> fields = Der.parseWhole(der).children();
        if (fields.size() < 3 || fields.get(1).tag() != Der.SEQUENCE || fields.get(1).children().isEmpty()) {
            throw new IllegalArgumentException("not a PKCS#8 PrivateKeyInfo");
        }
        byte[] oid = fields.get(1).children().get(0).encoded();
        if (Arrays.equals(oid, RSA_OID)) {
            return "RSA";
        }
        if (Arrays.equals(oid, EC_OID)) {
            return "EC";
        }
        throw new TlsConfigException(pem.path(), "unsupported private key algorithm (only RSA and EC keys are)");
    }

    private static byte[] rsaToPkcs8(byte[] pkcs1) {
        Der.parseWhole(pkcs1); // fail here, with a DER message, rather than deep inside the key factory
        return Der.encode(Der.SEQUENCE, VERSION_0, Der.encode(Der.SEQUENCE, RSA_OID, DER_NULL),
                Der.encode(Der.OCTET_STRING, pkcs1));
    }

    /**
     * ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING, [0] curve OID, [1] publicKey }. PKCS#8 wants the
     * curve in the AlgorithmIdentifier, so a SEC1 key without its {@code [0]} field cannot be converted.
     */
    private static byte[] ecToPkcs8(byte[] sec1) {
        Der.Tlv curve = null;
        for (Der.Tlv field : Der.parseWhole(sec1).children()) {
            if (field.tag() == Der.CONTEXT_0) {
                curve = Der.parseWhole(field.content());
            }
        }
        if (curve == null) {
            throw new IllegalArgumentException("the EC key does not name its curve");
        }
        return Der.encode(Der.SEQUENCE, VERSION_0, Der.encode(Der.SEQUENCE, EC_OID, curve.encoded()),
                Der.encode(Der.OCTET_STRING, sec1));
    }
}
