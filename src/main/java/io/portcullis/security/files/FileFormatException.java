package io.portcullis.security.files;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A security file (IP list, API keys) that cannot be used, with the file, the 1-based line when one is to blame,
 * and the reason. The message reads {@code /etc/portcullis/allow.txt:7: "10.0.0.300" is not an IP address}, so one
 * log line or one CLI error says everything an operator needs to fix it.
 */
public final class FileFormatException extends Exception {
    private final Path file;
    private final int line;
    private final String reason;

    /**
     * @param file   the file as it was given (not resolved, so the message shows what the operator wrote)
     * @param line   1-based line, or 0 when the problem is not on one line (unreadable, empty)
     * @param reason what is wrong, without the file name
     */
    public FileFormatException(Path file, int line, String reason) {
        super(file + (line > 0 ? ":" + line : "") + ": " + reason);
        this.file = Objects.requireNonNull(file, "file");
        this.line = line;
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Path file() {
        return file;
    }

    /** The 1-based line, or 0 when no single line is to blame. */
    public int line() {
        return line;
    }

    public String reason() {
        return reason;
    }
}
