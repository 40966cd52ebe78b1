package dev.syncjobs.rsync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RsyncOutputFileTest {
  @TempDir Path records;

  private static String readAll(RsyncOutputFile out) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(8);
    StringBuilder text = new StringBuilder();
    int n;
    while ((n = out.read(buf)) > 0) {
      text.append(new String(buf.array(), 0, n, StandardCharsets.UTF_8));
    }
    return text.toString();
  }

  @Test
  void a_child_process_appends_and_each_read_takes_what_came_since_the_last()
      throws IOException, InterruptedException {
    try (RsyncOutputFile out = RsyncOutputFile.create(records)) {
      Path file = records.resolve(RsyncOutputFile.NAME);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
      assertThat(readAll(out)).isEmpty();

      ProcessBuilder first =
          new ProcessBuilder("sh", "-c", "printf 'one\\rtwo\\n'").redirectOutput(out.redirect());
      assertThat(first.start().waitFor()).isZero();
      assertThat(readAll(out)).isEqualTo("one\rtwo\n");

      ProcessBuilder second =
          new ProcessBuilder("sh", "-c", "printf 'three\\n'").redirectOutput(out.redirect());
      assertThat(second.start().waitFor()).isZero();
      assertThat(readAll(out)).isEqualTo("three\n");
      assertThat(readAll(out)).isEmpty();
    }
    assertThat(records.resolve(RsyncOutputFile.NAME)).doesNotExist();
  }

  @Test
  void a_link_left_in_its_place_is_replaced_not_followed() throws IOException {
    Path elsewhere = Files.writeString(records.resolve("elsewhere"), "keep me");
    Files.createSymbolicLink(records.resolve(RsyncOutputFile.NAME), elsewhere);

    try (RsyncOutputFile out = RsyncOutputFile.create(records)) {
      assertThat(records.resolve(RsyncOutputFile.NAME)).isRegularFile();
      assertThat(Files.isSymbolicLink(records.resolve(RsyncOutputFile.NAME))).isFalse();
      assertThat(readAll(out)).isEmpty();
    }
    assertThat(elsewhere).hasContent("keep me");
  }
}
