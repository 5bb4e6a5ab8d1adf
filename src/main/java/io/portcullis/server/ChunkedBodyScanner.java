package io.portcullis.server;

import io.netty.buffer.ByteBuf;

/**
 * Follows the framing of one chunked request body, byte for byte alongside Netty's decoder, so that the trailer
 * section gets the same strictness as the head: no obs-fold (Netty would unfold it), no bare CR or LF, no NUL, and
 * the single-field length limit. Chunk data is skipped by count, never inspected.
 */
final class ChunkedBodyScanner {
    private enum State { SIZE, SIZE_LF, DATA, DATA_CR, DATA_LF, TRAILER, TRAILER_LF, DONE }

    private final int maxField;
    private State state = State.SIZE;
    private long size;
    private int digits;
    private boolean inExtension;
    private long remaining;
    private int lineLength;
    private boolean sawCr;
    private int position;

    ChunkedBodyScanner(int maxField) {
        this.maxField = maxField;
    }

    boolean done() {
        return state == State.DONE;
    }

    /** Index just after the last byte scanned by the latest {@link #scan} call. */
    int position() {
        return position;
    }

    /** Scans {@code [from, to)}; stops early at the end of the trailer section. Returns a rejection or null. */
    RejectedRequestException scan(ByteBuf buf, int from, int to) {
        int i = from;
        while (i < to && state != State.DONE) {
            if (state == State.DATA) {
                int n = (int) Math.min(remaining, to - i);
                i += n;
                remaining -= n;
                if (remaining == 0) {
                    state = State.DATA_CR;
                }
                continue;
            }
            byte b = buf.getByte(i++);
            RejectedRequestException problem = step(b);
            if (problem != null) {
                position = i;
                return problem;
            }
        }
        position = i;
        return null;
    }

    private RejectedRequestException step(byte b) {
        switch (state) {
            case SIZE -> {
                if (b == '\r') {
                    if (digits == 0) {
                        return framing("chunk size missing");
                    }
                    state = State.SIZE_LF;
                } else if (b == '\n' || b == 0) {
                    return framing("invalid chunk size line");
                } else if (inExtension) {
                    return null; // chunk extensions are ignored (and validated by Netty)
                } else if (hex(b) >= 0 && digits < 16) {
                    size = size * 16 + hex(b);
                    digits++;
                } else if (b == ';' || b == ' ' || b == '\t') {
                    inExtension = true;
                } else {
                    return framing("invalid chunk size");
                }
            }
            case SIZE_LF -> {
                if (b != '\n') {
                    return framing("bare CR in chunk size line");
                }
                if (size == 0) {
                    state = State.TRAILER;
                    lineLength = 0;
                } else {
                    remaining = size;
                    state = State.DATA;
                }
                size = 0;
                digits = 0;
                inExtension = false;
            }
            case DATA_CR -> {
                if (b != '\r') {
                    return framing("chunk data longer than its size");
                }
                state = State.DATA_LF;
            }
            case DATA_LF -> {
                if (b != '\n') {
                    return framing("bare CR after chunk data");
                }
                state = State.SIZE;
            }
            case TRAILER -> {
                return trailerByte(b);
            }
            case TRAILER_LF -> {
                if (b != '\n') {
                    return header("bare CR in trailer section");
                }
                state = State.DONE;
            }
            default -> throw new IllegalStateException("scanning past the end of a chunked body: " + state);
        }
        return null;
    }

    private RejectedRequestException trailerByte(byte b) {
        if (sawCr) {
            sawCr = false;
            if (b != '\n') {
                return header("bare CR in trailer field");
            }
            lineLength = 0;
            return null;
        }
        if (b == '\r') {
            if (lineLength == 0) {
                state = State.TRAILER_LF;
            } else {
                sawCr = true;
            }
            return null;
        }
        if (b == '\n' || b == 0) {
            return header(b == 0 ? "NUL in trailer field" : "bare LF in trailer field");
        }
        if (lineLength == 0 && (b == ' ' || b == '\t')) {
            return header("obs-fold (line folding) is not allowed in trailers");
        }
        if (++lineLength > maxField) {
            return new RejectedRequestException(ErrorReason.HEADERS_TOO_LARGE,
                    "trailer field longer than " + maxField + " bytes");
        }
        return null;
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }

    private static RejectedRequestException framing(String detail) {
        return new RejectedRequestException(ErrorReason.INVALID_FRAMING, detail);
    }

    private static RejectedRequestException header(String detail) {
        return new RejectedRequestException(ErrorReason.INVALID_HEADER, detail);
    }
}
