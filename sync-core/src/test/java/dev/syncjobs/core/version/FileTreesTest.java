package dev.syncjobs.core.version;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreesTest {
  @TempDir Path tmp;

  @Test
  void deletes_a_wide_and_deep_tree_with_read_only_folders_and_files() throws IOException {
    Path root = tmp.resolve("v1");
    for (int d = 0; d < 20; d++) {
      Path dir = Files.createDirectories(root.resolve("d" + d).resolve("deeper/still"));
      for (int f = 0; f < 50; f++) {
        Files.writeString(dir.resolve("f" + f), "x");
        Files.createLink(root.resolve("d" + d).resolve("link" + f), dir.resolve("f" + f));
      }
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
    }
    Files.writeString(root.resolve("top.txt"), "top");
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("r-xr-xr-x"));

    FileTrees.delete(root);

    assertThat(root).doesNotExist();
    assertThat(tmp).isEmptyDirectory();
  }

  @Test
  void deletes_links_and_never_what_they_name() throws IOException {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("keep.txt"), "keep");
    Path root = Files.createDirectories(tmp.resolve("v2/sub"));
    Files.createSymbolicLink(root.resolve("to-dir"), outside);
    Files.createSymbolicLink(root.resolve("to-file"), outside.resolve("keep.txt"));
    Files.createSymbolicLink(tmp.resolve("v2/dangling"), tmp.resolve("nothing"));

    FileTrees.delete(tmp.resolve("v2"));

    assertThat(tmp.resolve("v2")).doesNotExist();
    assertThat(outside.resolve("keep.txt")).hasContent("keep");
  }

  @Test
  void a_file_a_link_or_nothing_at_the_root_is_handled_too() throws IOException {
    Path file = Files.writeString(tmp.resolve("one.txt"), "1");
    Path link = Files.createSymbolicLink(tmp.resolve("link"), tmp);
    FileTrees.delete(file);
    FileTrees.delete(link);
    FileTrees.delete(tmp.resolve("absent"));
    assertThat(tmp).isEmptyDirectory();
  }
}
