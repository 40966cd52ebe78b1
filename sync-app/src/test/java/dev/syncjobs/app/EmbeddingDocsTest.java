package dev.syncjobs.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.model.StorageBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles and runs the examples of docs/embedding.md as written there. */
class EmbeddingDocsTest {
  private static final Path DOC = Path.of("..", "docs", "embedding.md");
  @TempDir Path tmp;

  @Test
  void the_jobs_declared_in_code_example_creates_keeps_and_updates_one_job() throws Exception {
    String source = JavaSnippet.from(DOC, "## Jobs declared in code");
    Path data = Files.createDirectories(tmp.resolve("data"));
    Path storage = tmp.resolve("storage");

    String out = JavaSnippet.run(source, "DeclaredJobs", tmp, data.toString(), storage.toString());

    assertThat(out.strip()).isEqualTo("true true hourly");
    assertThat(storage.resolve(StorageBackend.MARKER)).isRegularFile();
  }
}
