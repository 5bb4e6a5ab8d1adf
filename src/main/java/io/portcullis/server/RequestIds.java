package io.portcullis.server;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Correlation ids ({@code X-Request-Id}): a client-sent id is kept when well-formed, otherwise a random 128-bit id
 * is generated. Well-formed means 1..128 characters of {@code [A-Za-z0-9._:+/=-]}, which keeps ids safe to echo in
 * headers, JSON and logs.
 */
final class RequestIds {
    private static final int MAX_LENGTH = 128;
    private static final boolean[] ALLOWED = new boolean[128];
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    static {
        for (char c = '0'; c <= '9'; c++) ALLOWED[c] = true;
        for (char c = 'a'; c <= 'z'; c++) ALLOWED[c] = true;
        for (char c = 'A'; c <= 'Z'; c++) ALLOWED[c] = true;
        for (char c : "._:+/=-".toCharArray()) ALLOWED[c] = true;
    }

    private RequestIds() {}

    static boolean isWellFormed(CharSequence id) {
        int n = id.length();
        if (n == 0 || n > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            if (c >= 128 || !ALLOWED[c]) {
                return false;
            }
        }
        return true;
    }

    /** A random id in UUID text form; ThreadLocalRandom because ids need uniqueness, not secrecy. */
    static String generate() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long hi = r.nextLong();
        long lo = r.nextLong();
        char[] out = new char[36];
        int p = 0;
        for (int i = 0; i < 32; i++) {
            if (i == 8 || i == 12 || i == 16 || i == 20) {
                out[p++] = '-';
            }
            long word = i < 16 ? hi : lo;
            int shift = (15 - (i & 15)) * 4;
            out[p++] = HEX[(int) (word >>> shift) & 0xf];
        }
        return new String(out);
    }
}
