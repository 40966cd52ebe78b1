package dev.syncjobs.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskFullExceptionTest {

  @Test
  void recognises_a_full_device_or_quota_anywhere_in_the_cause_chain() {
    assertThat(DiskFullException.isDiskFull(new IOException("No space left on device"))).isTrue();
    assertThat(
            DiskFullException.isDiskFull(
                new FileSystemException("/b/x.part", null, "No space left on device")))
        .isTrue();
    assertThat(
            DiskFullException.isDiskFull(
                new TransferException(
                    "local copy failed",
                    new UncheckedIOException(new IOException("Disk quota exceeded")))))
        .isTrue();
    assertThat(DiskFullException.isDiskFull(new IOException("Connection reset"))).isFalse();
    assertThat(DiskFullException.isDiskFull(new IOException((String) null))).isFalse();
  }

  @Test
  void is_never_retryable() {
    assertThat(new DiskFullException("full", null).retryable()).isFalse();
  }

  @Test
  void refuses_a_file_larger_than_the_usable_space_before_writing(@TempDir Path dir) {
    DiskFullException.requireSpace(dir, 1, "a.bin");
    DiskFullException.requireSpace(dir.resolve("not/yet/there"), 1, "a.bin");
    assertThatThrownBy(() -> DiskFullException.requireSpace(dir, Long.MAX_VALUE, "huge.iso"))
        .isInstanceOf(DiskFullException.class)
        .hasMessageContaining("huge.iso needs " + Long.MAX_VALUE + " bytes");
  }
}
