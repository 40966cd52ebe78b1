package dev.syncjobs.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles and runs the README's embedding example exactly as written there. */
class ReadmeExampleTest {
  @TempDir Path tmp;

  @Test
  void readme_example_compiles_and_mirrors_a_folder() throws Exception {
    String source = JavaSnippet.from(Path.of("..", "README.md"), "");
    assertThat(source.lines().count()).isLessThanOrEqualTo(25);
    Path data = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(data.resolve("guide.txt"), "hello");
    Path storage = tmp.resolve("storage");

    String out = JavaSnippet.run(source, "MirrorExample", tmp, data.toString(), storage.toString());

    assertThat(out).startsWith("SUCCESS");
    assertThat(storage.resolve("docs/current/guide.txt")).hasContent("hello");
    assertThat(List.of(storage.resolve("docs").toFile().list()))
        .hasSize(3)
        .contains("current", ".syncjobs");
  }
}
