package dev.syncjobs.http;

import dev.syncjobs.core.model.FreeSpace;
import dev.syncjobs.core.version.Bookkeeping;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The folder of a staging directory's partial downloads, in its records ({@link Bookkeeping}): a
 * file's data as it arrives ({@code <key>.part}) and a large file's progress ({@code <key>.state}),
 * named by a hash of the file's path; what earlier attempts left there; and the free space of the
 * file system they are written to.
 */
final class PartialFolder {
  /** The folder's name in the records. */
  static final String NAME = "partial";

  final Path dir;
  private final Consumer<String> log;
  private final Set<String> leftovers = ConcurrentHashMap.newKeySet();
  private volatile FreeSpace space; // set by create()

  /** Looks at what earlier attempts left in {@code staging}'s folder of partial downloads. */
  PartialFolder(Path staging, Consumer<String> log) {
    this.dir = of(staging);
    this.log = log;
    if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      try (Stream<Path> list = Files.list(dir)) {
        list.forEach(p -> leftovers.add(p.getFileName().toString()));
      } catch (IOException e) {
        // treated as no leftovers
      }
    }
  }

  /** Where the partial downloads of {@code staging} are kept. */
  static Path of(Path staging) {
    return Bookkeeping.of(staging).resolve(NAME);
  }

  /** The name of {@code path}'s partial data and state, without their suffixes. */
  static String key(String path) {
    byte[] hash = Digests.sha256().digest(path.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(hash).substring(0, 32);
  }

  /**
   * Creates the folder (its records folder exists), once: a symbolic link or a file in its place is
   * removed, never followed, so no partial download is written outside it.
   */
  void create() throws IOException {
    if (space != null) {
      return; // every file's download asks
    }
    synchronized (this) {
      if (space != null) {
        return;
      }
      if (Files.isSymbolicLink(dir) || Files.isRegularFile(dir, LinkOption.NOFOLLOW_LINKS)) {
        Files.delete(dir);
      }
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectories(dir);
      }
      space = FreeSpace.of(dir);
    }
  }

  /** Whether an earlier attempt left partial data or state under {@code key}. */
  boolean leftBehind(String key) {
    return leftovers.contains(key + ".state") || leftovers.contains(key + ".part");
  }

  /**
   * Removes what earlier attempts left of files the source no longer lists: nothing would resume
   * them, and on a nearly full disk they would keep the files that are listed from fitting.
   */
  void dropLeftoversExcept(Set<String> listedPaths) throws IOException {
    if (leftovers.isEmpty()) {
      return;
    }
    Set<String> keep = new HashSet<>();
    for (String path : listedPaths) {
      String key = key(path);
      keep.add(key + ".part");
      keep.add(key + ".state");
    }
    for (String name : List.copyOf(leftovers)) {
      if (!keep.contains(name)) {
        Files.deleteIfExists(dir.resolve(name));
        leftovers.remove(name);
        log.accept("removed partial data of a file the source no longer lists (" + name + ")");
      }
    }
  }

  /** The free space of the folder's file system, looked up by {@link #create}. */
  FreeSpace space() {
    return space;
  }
}
