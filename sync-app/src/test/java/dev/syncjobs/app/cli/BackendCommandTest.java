package dev.syncjobs.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.model.StorageBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendCommandTest {
  @TempDir Path tmp;

  @Test
  void backend_init_adopts_an_existing_directory_by_writing_its_marker() throws Exception {
    Path share = Files.createDirectories(tmp.resolve("share"));
    OnceCommandTest.Result r =
        OnceCommandTest.run("backend", "init", "share", "--root", share.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(share.resolve(StorageBackend.MARKER)).exists();
    assertThat(r.out()).contains("adopted").contains("online");
  }

  @Test
  void backend_init_refuses_a_missing_directory_and_an_unknown_name() {
    OnceCommandTest.Result missing =
        OnceCommandTest.run("backend", "init", "share", "--root", tmp.resolve("nope").toString());
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("is not a directory");
    assertThat(tmp.resolve("nope")).doesNotExist();
    OnceCommandTest.Result unknown = OnceCommandTest.run("backend", "init", "no-such-backend");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err()).contains("no backend named 'no-such-backend'");
  }

  @Test
  void every_command_has_help() {
    for (String[] args :
        new String[][] {
          {"--help"}, {"serve", "--help"}, {"backend", "--help"}, {"backend", "init", "--help"}
        }) {
      OnceCommandTest.Result r = OnceCommandTest.run(args);
      assertThat(r.exit()).as(String.join(" ", args)).isZero();
      assertThat(r.out()).contains("Usage:");
    }
    assertThat(OnceCommandTest.run("--help").out()).contains("serve").contains("backend");
  }
}
