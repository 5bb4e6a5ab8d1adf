package io.portcullis.security.jwt;

import com.nimbusds.jose.Header;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.util.Base64URL;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;

/**
 * A compact JWS split into its parts, its header parsed, or the refusal that stopped it. Parsed by hand rather than
 * with {@code SignedJWT.parse} so the header is read once, {@code alg: none} and encrypted tokens get their own
 * reason, and a character outside base64url is refused (nimbus's decoder skips them, which would let many strings
 * stand for one token). The payload is decoded only after the signature verifies.
 */
final class ParsedToken {
    final Rejected rejected;
    final JWSHeader header;
    final byte[] signingInput;
    final Base64URL payload;
    final Base64URL signature;

    private ParsedToken(Rejected rejected, JWSHeader header, byte[] signingInput, Base64URL payload,
                        Base64URL signature) {
        this.rejected = rejected;
        this.header = header;
        this.signingInput = signingInput;
        this.payload = payload;
        this.signature = signature;
    }

    static ParsedToken parse(String token) {
        int first = -1;
        int second = -1;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '.') {
                if (first < 0) {
                    first = i;
                } else if (second < 0) {
                    second = i;
                } else {
                    return refuse(Reason.ALG_NOT_ALLOWED, "encrypted (JWE) tokens are not accepted");
                }
            } else if (!isBase64Url(c)) {
                return refuse(Reason.MALFORMED, "character outside base64url at " + i);
            }
        }
        if (second < 0) {
            return refuse(Reason.MALFORMED, "not three dot-separated parts");
        }
        if (first == 0 || second == first + 1) {
            return refuse(Reason.MALFORMED, "empty header or payload");
        }
        Header header;
        try {
            header = Header.parse(new Base64URL(token.substring(0, first)));
        } catch (ParseException e) {
            return refuse(Reason.MALFORMED, "unparsable header");
        }
        if (header instanceof PlainHeader) {
            return refuse(Reason.ALG_NOT_ALLOWED, "alg none (unsigned token)");
        }
        if (!(header instanceof JWSHeader jws)) {
            return refuse(Reason.ALG_NOT_ALLOWED, "encrypted (JWE) tokens are not accepted");
        }
        if (jws.getCriticalParams() != null && !jws.getCriticalParams().isEmpty()) {
            return refuse(Reason.MALFORMED, "critical header parameters are not supported");
        }
        if (second == token.length() - 1) {
            return refuse(Reason.MALFORMED, "no signature");
        }
        return new ParsedToken(null, jws, token.substring(0, second).getBytes(StandardCharsets.US_ASCII),
                new Base64URL(token.substring(first + 1, second)), new Base64URL(token.substring(second + 1)));
    }

    private static ParsedToken refuse(Reason reason, String detail) {
        return new ParsedToken(new Rejected(reason, detail), null, null, null, null);
    }

    private static boolean isBase64Url(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }
}
