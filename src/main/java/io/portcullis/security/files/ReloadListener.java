package io.portcullis.security.files;

import java.nio.file.Path;

/**
 * Told what a {@link ReloadingFile} did, for metrics and admin views; the log lines are written either way. Called
 * on the reloading executor, after the new value is published, one call at a time; must not block.
 *
 * @param <T> what the file holds once parsed
 */
public interface ReloadListener<T> {
    /** A changed file was parsed and {@code value} is now current. */
    default void reloaded(Path file, T value) {}

    /** A changed file was refused; the previous value stays current. {@code problem} names file, line and reason. */
    default void refused(Path file, FileFormatException problem) {}

    /** Listens to nothing. */
    static <T> ReloadListener<T> none() {
        return new ReloadListener<>() {};
    }
}
