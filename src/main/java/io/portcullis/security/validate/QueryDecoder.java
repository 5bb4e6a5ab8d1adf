package io.portcullis.security.validate;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits and decodes a raw query string the way {@link QueryRules} needs it, which is not quite what Netty's
 * {@code QueryStringDecoder} does by default: every parameter is kept (no silent cap at 1024, which would let a
 * client hide {@code limit=99999} behind 1024 junk parameters the backend still reads), {@code ;} is an ordinary
 * character as in WHATWG URL parsing, and malformed percent-escapes or invalid UTF-8 are reported rather than
 * replaced, so the gateway never validates a different string than the backend decodes.
 */
final class QueryDecoder {
    private QueryDecoder() {}

    /** Parameters in order of first appearance; {@code malformed} is the first bad component, or null. */
    record Decoded(Map<String, List<String>> params, String malformed) {}

    static Decoded decode(String rawQuery) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return new Decoded(params, null);
        }
        int start = rawQuery.charAt(0) == '?' ? 1 : 0;
        int n = rawQuery.length();
        while (start <= n) {
            int amp = rawQuery.indexOf('&', start);
            int end = amp < 0 ? n : amp;
            if (end > start) {
                int eq = rawQuery.indexOf('=', start);
                int nameEnd = eq < 0 || eq > end ? end : eq;
                String name = component(rawQuery, start, nameEnd);
                String value = nameEnd == end ? "" : component(rawQuery, nameEnd + 1, end);
                if (name == null || value == null) {
                    return new Decoded(params, rawQuery.substring(start, end));
                }
                params.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
            }
            start = end + 1;
        }
        return new Decoded(params, null);
    }

    /** Decodes {@code s[from, to)}: {@code +} is a space, {@code %XX} a byte, bytes are UTF-8; null if malformed. */
    static String component(String s, int from, int to) {
        boolean plain = true;
        for (int i = from; i < to && plain; i++) {
            char c = s.charAt(i);
            plain = c != '%' && c != '+';
        }
        if (plain) {
            return s.substring(from, to);
        }
        ByteBuffer bytes = ByteBuffer.allocate((to - from) * 3);
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '+') {
                bytes.put((byte) ' ');
            } else if (c == '%') {
                int hi = i + 2 < to ? hex(s.charAt(i + 1)) : -1;
                int lo = hi < 0 ? -1 : hex(s.charAt(i + 2));
                if (lo < 0) {
                    return null;
                }
                bytes.put((byte) (hi << 4 | lo));
                i += 2;
            } else if (c < 0x80) {
                bytes.put((byte) c);
            } else {
                // A raw non-ASCII character (lenient clients): take it as its UTF-8 encoding.
                int cp = s.codePointAt(i);
                if (Character.isSurrogate((char) cp)) {
                    return null;
                }
                bytes.put(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(cp) - 1;
            }
        }
        bytes.flip();
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer chars = CharBuffer.allocate(bytes.remaining());
        CoderResult result = utf8.decode(bytes, chars, true);
        if (result.isError() || utf8.flush(chars).isError()) {
            return null;
        }
        return chars.flip().toString();
    }

    /** ASCII hex only: {@link Character#digit} would also accept other scripts' digits. */
    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
