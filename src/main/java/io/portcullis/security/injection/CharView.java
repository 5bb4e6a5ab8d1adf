package io.portcullis.security.injection;

/**
 * A window onto part of a query string or onto a JSON parser's character buffer, so that {@link InjectionDetector}
 * can hand each name and value to the detectors without copying it. Mutable on purpose: one view is created per
 * scan call, moved from value to value, and never leaves that call (the detectors do not keep what they read).
 */
final class CharView implements CharSequence {
    private CharSequence text;
    private char[] chars;
    private int offset;
    private int length;

    CharView over(CharSequence text, int from, int to) {
        this.text = text;
        this.chars = null;
        this.offset = from;
        this.length = to - from;
        return this;
    }

    CharView over(char[] chars, int offset, int length) {
        this.text = null;
        this.chars = chars;
        this.offset = offset;
        this.length = length;
        return this;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public char charAt(int index) {
        if (index < 0 || index >= length) {
            throw new IndexOutOfBoundsException("index " + index + ", length " + length);
        }
        return chars != null ? chars[offset + index] : text.charAt(offset + index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return toString().subSequence(start, end);
    }

    @Override
    public String toString() {
        return chars != null ? new String(chars, offset, length) : text.subSequence(offset, offset + length).toString();
    }
}
