package io.portcullis.server;

/**
 * The decoder's verdict on a request it refuses before any handler sees it. Carried as the failure cause of a
 * {@link io.netty.handler.codec.DecoderResult}; never thrown on the hot path.
 */
final class RejectedRequestException extends RuntimeException {
    private final ErrorReason reason;

    RejectedRequestException(ErrorReason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    ErrorReason reason() {
        return reason;
    }
}
