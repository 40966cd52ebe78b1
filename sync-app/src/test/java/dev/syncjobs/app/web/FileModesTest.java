package dev.syncjobs.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data dir is 0700 and what it keeps secret 0600, also for an install made before that. */
class FileModesTest {
  private static final List<String> PRIVATE =
      List.of("syncjobs.db", "syncjobs.db-wal", "syncjobs.db-shm", "admin.token", "secret.key");

  private static Map<String, String> generatedAdminToken() {
    Map<String, String> env = new HashMap<>();
    env.put("SYNCJOBS_ADMIN_TOKEN", null);
    env.put("SYNCJOBS_VIEWER_TOKEN", null);
    return env;
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  private static void assertPrivate(Path data) throws IOException {
    assertThat(mode(data)).isEqualTo("rwx------");
    for (String name : PRIVATE) {
      Path f = data.resolve(name);
      if (Files.exists(f)) {
        assertThat(mode(f)).as(name).isEqualTo("rw-------");
      }
    }
  }

  @Test
  void a_new_data_dir_is_0700_and_its_database_token_and_key_0600(@TempDir Path tmp)
      throws IOException {
    try (TestServer s = new TestServer(tmp, generatedAdminToken())) {
      Path data = s.dataDir;
      assertThat(data.resolve("syncjobs.db")).exists();
      assertThat(data.resolve("admin.token")).exists();
      assertThat(data.resolve("secret.key")).exists();
      assertThat(data.resolve("syncjobs.db-wal")).exists();
      assertPrivate(data);
    }
  }

  @Test
  void an_older_install_readable_by_others_is_tightened_at_start(@TempDir Path tmp)
      throws IOException {
    Path data;
    try (TestServer s = new TestServer(tmp, generatedAdminToken())) {
      data = s.dataDir;
    }
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
    for (String name : List.of("syncjobs.db", "admin.token", "secret.key")) {
      Files.setPosixFilePermissions(
          data.resolve(name), PosixFilePermissions.fromString("rw-r--r--"));
    }
    Files.writeString(data.resolve("syncjobs.db-journal"), "");
    Files.setPosixFilePermissions(
        data.resolve("syncjobs.db-journal"), PosixFilePermissions.fromString("rw-rw-rw-"));
    try (TestServer s = new TestServer(tmp, generatedAdminToken())) {
      assertPrivate(data);
      assertThat(mode(data.resolve("syncjobs.db-journal"))).isEqualTo("rw-------");
      assertThat(s.get("/api/v1/storage/sync-jobs").status()).isEqualTo(401);
    }
  }
}
