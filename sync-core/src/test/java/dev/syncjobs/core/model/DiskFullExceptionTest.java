package dev.syncjobs.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import org.junit.jupiter.api.Test;

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
}
