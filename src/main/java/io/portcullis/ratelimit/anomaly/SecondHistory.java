package io.portcullis.ratelimit.anomaly;

/**
 * Which of the last few seconds were bad, as the low bits of an int (bit 0 = the latest second), so that "N of the
 * last M seconds" is a shift and a bit count. Shared by the rules that need hysteresis.
 */
final class SecondHistory {
    private SecondHistory() {
    }

    static int push(int history, boolean bad, int seconds) {
        return ((history << 1) | (bad ? 1 : 0)) & ((1 << seconds) - 1);
    }

    static int bad(int history) {
        return Integer.bitCount(history);
    }
}
