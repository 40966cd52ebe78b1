package dev.syncjobs.core.port;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.staging.StagingPaths;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link TransferContract} for sources that can name files no file system holds (an HTTP listing
 * can write {@code %00}, {@code %2F} or a 300-byte name in an href): each is skipped with a log
 * line naming it and counted, and the rest of the run goes on.
 */
public abstract class UnholdableNamesContract extends TransferContract {

  /**
   * Serves the tree at {@code root} plus entries named {@code names}, each one name of the root
   * folder that the source spells its own way (e.g. percent-escaped in a listing); their content
   * need not be served.
   */
  protected abstract Source serveWithNames(Path root, List<String> names) throws Exception;

  @Test
  public void names_the_backend_cannot_hold_are_skipped_logged_and_counted_and_the_rest_lands()
      throws Exception {
    List<String> names =
        List.of(
            "nul\0byte.txt",
            "slash/inside.txt",
            "..",
            ".",
            "x".repeat(300),
            "é".repeat(128) + ".txt");
    Path root = newSourceRoot();
    write(root, "good.txt", "good");
    write(root, "sub/also good.txt", "also good");

    Path staging = staging(Instant.parse("2026-11-23T03:00:00Z"));
    TransferReport report = run(serveWithNames(root, names), staging, Optional.empty());

    assertThat(tree(staging)).isEqualTo(tree(root));
    assertThat(report.filesSkipped()).isEqualTo(names.size());
    assertThat(report.filesTotal()).isEqualTo(2);
    for (String n : names) {
      assertThat(log)
          .as(n)
          .anyMatch(l -> l.startsWith("skipped " + StagingPaths.printable(n) + ": "));
    }
    assertThat(allNames(work)).noneMatch(n -> n.startsWith("x".repeat(200)) || n.contains("\0"));
  }
}
