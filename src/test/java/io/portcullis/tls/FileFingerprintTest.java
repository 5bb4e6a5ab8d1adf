package io.portcullis.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileFingerprintTest {
    @TempDir
    Path dir;

    @Test
    void aRewriteWithTheSameSizeAndTimeIsAChange() throws Exception {
        Path file = dir.resolve("server.crt");
        FileTime time = FileTime.fromMillis(1_700_000_000_000L);
        Files.setLastModifiedTime(Files.writeString(file, "aaaa"), time);
        FileFingerprint before = FileFingerprint.of(file);
        Files.setLastModifiedTime(Files.writeString(file, "bbbb"), time);
        FileFingerprint after = FileFingerprint.of(file);

        assertThat(after.size()).isEqualTo(before.size()).isEqualTo(4);
        assertThat(after.modifiedMillis()).isEqualTo(before.modifiedMillis()).isEqualTo(time.toMillis());
        assertThat(after).isNotEqualTo(before);
        assertThat(FileFingerprint.of(file)).as("same content, same time").isEqualTo(after);
    }

    @Test
    void aTouchIsAChange() throws Exception {
        Path file = Files.writeString(dir.resolve("server.key"), "key");
        Files.setLastModifiedTime(file, FileTime.fromMillis(1_700_000_000_000L));
        FileFingerprint before = FileFingerprint.of(file);
        Files.setLastModifiedTime(file, FileTime.fromMillis(1_700_000_001_000L));
        assertThat(FileFingerprint.of(file)).isNotEqualTo(before);
    }

    @Test
    void aMissingFileHasAFingerprintOfItsOwn() throws Exception {
        Path file = dir.resolve("gone.crt");
        FileFingerprint missing = FileFingerprint.of(file);
        assertThat(missing.size()).isEqualTo(-1);
        assertThat(missing.sha256()).contains("NoSuchFileException", file.toString());
        assertThat(FileFingerprint.of(List.of(file, Files.writeString(file, "x"))).get(0)).isNotEqualTo(missing);
    }
}
