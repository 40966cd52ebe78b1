package dev.syncjobs.app.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/** What a job's destination directory holds, read from the disk, not from the API. */
final class MirrorDir {
  private MirrorDir() {}

  /** The version {@code current} names, if the link exists. */
  static Optional<Path> current(Path dest) {
    Path link = dest.resolve("current");
    if (!Files.isSymbolicLink(link)) {
      return Optional.empty();
    }
    try {
      return Optional.of(dest.resolve(Files.readSymbolicLink(link)).normalize());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Complete versions (timestamp-named folders). */
  static List<Path> versions(Path dest) {
    return entries(dest).stream()
        .filter(p -> p.getFileName().toString().matches("\\d{8}T\\d{6}Z(-\\d+)?"))
        .filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
        .toList();
  }

  /**
   * A version's files by path with their SHA-256, as the source would list them. Top-level {@code
   * .syncjobs*} entries are syncjobs' reserved names (a source cannot put a file there), so an
   * adapter's bookkeeping kept there is not counted as content; a temporary file anywhere else is.
   */
  static Map<String, String> tree(Path version) {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(version)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String rel = version.relativize(p).toString();
        if (rel.startsWith(".syncjobs") && !rel.startsWith(".syncjobs-tmp-")) {
          continue;
        }
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          out.put(rel, SourceServer.sha256(Files.readAllBytes(p)));
        } else if (Files.isSymbolicLink(p)) {
          out.put(rel, "symlink");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /**
   * Staging and temporary data in a destination: staging folders and their pid files, a {@code
   * current} link being swapped, a version being pruned, partial downloads and temporary files in
   * the current version or in the bookkeeping beside the versions.
   */
  static List<String> leftovers(Path dest) {
    List<String> out = new ArrayList<>();
    for (Path p : entries(dest)) {
      String n = p.getFileName().toString();
      if (n.endsWith(".partial")
          || n.endsWith(".partial.pid")
          || n.startsWith(".current-")
          || n.endsWith(".pruned")) {
        out.add(n);
      }
    }
    current(dest)
        .ifPresent(
            v -> {
              for (Path p : walk(v)) {
                String n = p.getFileName().toString();
                if (n.equals(".syncjobs-partial") || n.startsWith(".syncjobs-tmp-")) {
                  out.add(dest.relativize(p).toString());
                }
              }
            });
    for (Path p : walk(dest.resolve(".syncjobs"))) {
      String n = p.getFileName().toString();
      if (n.endsWith(".part") || n.startsWith(".syncjobs-tmp-")) {
        out.add(dest.relativize(p).toString());
      }
    }
    return out;
  }

  private static List<Path> entries(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> walk(Path dir) {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
