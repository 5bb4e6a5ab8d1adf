package io.portcullis.upstream.health;

import java.util.regex.Pattern;

/** Short failure reasons from socket exceptions, for log lines that already name the endpoint. */
final class Reasons {
    // Netty appends the remote address to connect errors, and native transports prefix the failed system call
    // ("finishConnect(..) failed with error(-111): Connection refused: /127.0.0.1:8081").
    private static final Pattern ADDRESS_SUFFIX = Pattern.compile(": \\S*/\\S+:\\d+$");
    private static final Pattern SYSCALL_PREFIX =
            Pattern.compile("^\\w+\\(\\.\\.\\) failed(?: with error\\(-?\\d+\\))?: ");

    private Reasons() {
    }

    static String of(Throwable cause) {
        String message = cause.getMessage();
        if (message == null || message.isBlank()) {
            return cause.getClass().getSimpleName();
        }
        message = ADDRESS_SUFFIX.matcher(message).replaceFirst("");
        return SYSCALL_PREFIX.matcher(message).replaceFirst("");
    }
}
