package io.portcullis.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * What {@link CertificateReloader} compares to tell that a file changed: size, modification time and a SHA-256 of
 * the content, so a rewrite that keeps size and time is still a change. Links are followed, so a Kubernetes secret
 * mount swapping its {@code ..data} link changes the fingerprint of every file behind it. A file that cannot be
 * read gets a fingerprint of the error (size -1); the rebuild that follows fails naming it.
 */
record FileFingerprint(long size, long modifiedMillis, String sha256) {

    static List<FileFingerprint> of(List<Path> files) {
        List<FileFingerprint> fingerprints = new ArrayList<>(files.size());
        for (Path file : files) {
            fingerprints.add(of(file));
        }
        return List.copyOf(fingerprints);
    }

    /** Reads the whole file: certificates and keys are a few kilobytes. */
    static FileFingerprint of(Path file) {
        try {
            long modified = Files.getLastModifiedTime(file).toMillis();
            byte[] content = Files.readAllBytes(file);
            return new FileFingerprint(content.length, modified,
                    HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
        } catch (IOException e) {
            return new FileFingerprint(-1, -1, e.toString());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
