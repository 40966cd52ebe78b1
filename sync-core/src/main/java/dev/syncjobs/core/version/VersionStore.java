package dev.syncjobs.core.version;

import dev.syncjobs.core.model.SyncException;
import dev.syncjobs.core.staging.StagingPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The versions of one destination directory: {@code <timestamp>.partial} staging directories,
 * complete {@code <timestamp>} versions, and the {@code current} symlink. Publishing is a rename
 * followed by an atomic symlink swap, so nothing incomplete is ever visible as a version.
 *
 * <p>syncjobs' own records of each version and staging directory (an HTTP manifest, partial
 * downloads) live beside them in {@code .syncjobs/<name>/} ({@link Bookkeeping}) and follow them:
 * renamed with a reused or published staging directory, removed with a discarded one or a pruned
 * version. A version holds the source's files alone.
 */
public final class VersionStore {
  static final String CURRENT = "current";
  static final String PARTIAL = ".partial";
  private static final String SWAP_PREFIX = ".current-";
  private static final String PRUNED = ".pruned";
  private static final Pattern VERSION = Pattern.compile("\\d{8}T\\d{6}Z(-\\d+)?");
  private static final DateTimeFormatter NAME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final Path dir;

  public VersionStore(Path destinationDir) {
    this.dir = Objects.requireNonNull(destinationDir, "destinationDir");
  }

  public Path dir() {
    return dir;
  }

  /** A version's name for an instant: colon-free UTC, e.g. {@code 20261123T030000Z}. */
  public static String nameFor(Instant instant) {
    return NAME.format(instant);
  }

  /** Whether a directory name is a version's. */
  public static boolean isVersionName(String name) {
    return VERSION.matcher(name).matches();
  }

  /** The version {@code current} points at, if any. */
  public Optional<Path> current() {
    Path link = dir.resolve(CURRENT);
    try {
      // not a link, or missing: an IOException (NotLinkException, NoSuchFileException)
      Path target = dir.resolve(Files.readSymbolicLink(link)).normalize();
      return Files.isDirectory(target) && target.getParent().equals(dir)
          ? Optional.of(target)
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Complete versions, newest first. */
  public List<Path> versions() {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      for (Path p : s) {
        if (isVersionName(p.getFileName().toString())
            && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          out.add(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.sort(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed());
    return out;
  }

  /**
   * A staging directory for a run that starts at {@code startedAt}. The newest {@code .partial}
   * left by an interrupted run is renamed and reused (its complete files let the transfer resume);
   * older ones are deleted.
   */
  public Path prepareStaging(Instant startedAt) {
    return prepareStaging(startedAt, true);
  }

  /**
   * {@link #prepareStaging(Instant)}, creating a new staging directory only when {@code create}:
   * otherwise only its name is chosen, and whoever writes first creates it. A staging directory
   * that does not exist stands for an empty tree ({@link #files}, {@link #discard}, {@link
   * #publish}).
   */
  public Path prepareStaging(Instant startedAt, boolean create) {
    try {
      Set<String> names;
      try {
        names = names();
      } catch (NoSuchFileException e) {
        Files.createDirectories(dir);
        names = Set.of();
      }
      removeLeftovers(names);
      String name = uniqueName(nameFor(startedAt), names);
      Path staging = dir.resolve(name + PARTIAL);
      List<Path> leftovers = partials(names);
      Set<String> kept = new HashSet<>(names);
      if (!leftovers.isEmpty()) {
        Path newest = leftovers.get(0);
        if (!newest.equals(staging)) {
          Files.move(newest, staging, StandardCopyOption.ATOMIC_MOVE);
          moveSibling(newest, staging, ".pid");
          VersionRecords.move(newest, staging);
        }
        for (Path old : leftovers.subList(1, leftovers.size())) {
          deleteTree(old);
          kept.remove(old.getFileName().toString());
        }
        kept.remove(newest.getFileName().toString());
      } else if (create) {
        Files.createDirectory(staging);
      }
      kept.add(staging.getFileName().toString());
      VersionRecords.dropOrphans(dir, kept);
      return staging;
    } catch (IOException e) {
      throw new SyncException("cannot prepare a staging directory in " + dir + ": " + e, e);
    }
  }

  /**
   * Removes what a process killed while publishing or pruning leaves: the temporary link {@link
   * #publish} renames over {@code current}, and a version {@link #prune} had renamed away but not
   * yet deleted. A job has one run at a time, so none belongs to a publish or prune in progress.
   */
  private void removeLeftovers(Set<String> names) throws IOException {
    for (String n : names) {
      if (n.startsWith(SWAP_PREFIX)) {
        Files.deleteIfExists(dir.resolve(n));
      } else if (n.endsWith(PRUNED)) {
        deleteTree(dir.resolve(n));
      }
    }
  }

  private static void moveSibling(Path from, Path to, String suffix) throws IOException {
    Path f = from.resolveSibling(from.getFileName() + suffix);
    if (Files.exists(f)) {
      Files.move(f, to.resolveSibling(to.getFileName() + suffix), StandardCopyOption.ATOMIC_MOVE);
    }
  }

  /** Staging directories left by earlier runs, newest first. */
  public List<Path> partials() throws IOException {
    return Files.isDirectory(dir) ? partials(names()) : List.of();
  }

  /** The names in the destination directory, read in one pass. */
  private Set<String> names() throws IOException {
    Set<String> names = new HashSet<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      for (Path p : s) {
        names.add(p.getFileName().toString());
      }
    }
    return names;
  }

  private List<Path> partials(Set<String> names) {
    List<Path> out = new ArrayList<>();
    for (String n : names) {
      if (n.endsWith(PARTIAL)) {
        Path p = dir.resolve(n);
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          out.add(p);
        }
      }
    }
    out.sort(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed());
    return out;
  }

  /** {@code base}, or with a counter when a file of that name exists (even a dangling link). */
  private static String uniqueName(String base, Set<String> names) {
    String name = base;
    for (int i = 1; names.contains(name); i++) {
      name = base + "-" + i;
    }
    return name;
  }

  /** A tree's files, as {@link VersionFiles#list} gives them. */
  public static Map<String, BasicFileAttributes> files(Path root) throws IOException {
    return VersionFiles.list(root);
  }

  /**
   * Makes the staging directory's files read-only, renames it to its version name and points {@code
   * current} at it atomically. Returns the version's name.
   */
  public String publish(Path staging) {
    try {
      return publish(staging, files(staging));
    } catch (IOException e) {
      throw new SyncException("cannot publish " + staging + ": " + e, e);
    }
  }

  /**
   * {@link #publish(Path)} of a staging tree already listed by {@link #files}: only the regular
   * files in {@code staged} are made read-only (each one's mode is read, as the walk's attributes
   * carry none). Files not in {@code staged} must already be read-only (links into a published
   * version, or every file of a transfer that writes read-only files, which passes none).
   */
  public String publish(Path staging, Map<String, BasicFileAttributes> staged) {
    String partialName = staging.getFileName().toString();
    if (!partialName.endsWith(PARTIAL)) {
      throw new IllegalArgumentException("not a staging directory: " + staging);
    }
    String name = partialName.substring(0, partialName.length() - PARTIAL.length());
    try {
      if (staged.isEmpty() && !Files.exists(staging, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(staging); // nothing was written: an empty version
      }
      makeReadOnly(staging, staged);
      Path version = dir.resolve(name);
      VersionRecords.publish(staging, version);
      Files.move(staging, version, StandardCopyOption.ATOMIC_MOVE);
      Files.deleteIfExists(dir.resolve(partialName + ".pid"));
      // ThreadLocalRandom, not UUID.randomUUID(): SecureRandom is one lock shared by all runs.
      Path tmp =
          dir.resolve(
              SWAP_PREFIX
                  + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE));
      Files.createSymbolicLink(tmp, Path.of(name));
      Files.move(tmp, dir.resolve(CURRENT), StandardCopyOption.ATOMIC_MOVE);
      return name;
    } catch (IOException e) {
      throw new SyncException("cannot publish " + staging + ": " + e, e);
    }
  }

  private static final Set<PosixFilePermission> WRITE =
      Set.of(
          PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.OTHERS_WRITE);

  private static void makeReadOnly(Path root, Map<String, BasicFileAttributes> staged)
      throws IOException {
    for (var e : staged.entrySet()) {
      BasicFileAttributes attrs = e.getValue();
      if (!attrs.isRegularFile()) {
        continue;
      }
      makeReadOnly(root.resolve(e.getKey()));
    }
  }

  /** Takes write permission away from {@code f}. */
  private static void makeReadOnly(Path f) throws IOException {
    Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
    perms.addAll(Files.getPosixFilePermissions(f, LinkOption.NOFOLLOW_LINKS));
    if (perms.removeAll(WRITE)) {
      StagingPaths.setMode(f, perms);
    }
  }

  /**
   * Deletes versions beyond the newest {@code keep} (0 = keep all), never the one {@code current}
   * names. Returns the names deleted.
   */
  public List<String> prune(int keep) {
    if (keep <= 0) {
      return List.of();
    }
    Optional<Path> current = current();
    List<String> deleted = new ArrayList<>();
    List<Path> all = versions();
    for (Path v : all.subList(Math.min(keep, all.size()), all.size())) {
      if (current.isPresent() && current.get().equals(v)) {
        continue;
      }
      // Out of the versions first: a process killed while deleting leaves no half-deleted
      // folder under a version's name, only one that the next run's staging removes.
      Path doomed = dir.resolve(v.getFileName() + PRUNED);
      deleteTree(doomed);
      try {
        Files.move(v, doomed, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new SyncException("cannot remove version " + v + ": " + e, e);
      }
      deleteTree(doomed);
      VersionRecords.delete(v);
      deleted.add(v.getFileName().toString());
    }
    return deleted;
  }

  /** Removes a staging directory (nothing changed, or it is abandoned). */
  public void discard(Path staging) {
    try {
      // most often empty: one rmdir, no walk
      Files.deleteIfExists(staging);
    } catch (DirectoryNotEmptyException e) {
      deleteTree(staging);
    } catch (IOException e) {
      throw new SyncException("cannot remove " + staging + ": " + e, e);
    }
    try {
      Files.deleteIfExists(staging.resolveSibling(staging.getFileName() + ".pid"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    VersionRecords.delete(staging);
  }

  /** {@link FileTrees#delete}, failing as a {@link SyncException}. */
  static void deleteTree(Path root) {
    try {
      FileTrees.delete(root);
    } catch (IOException e) {
      throw new SyncException("cannot delete " + root + ": " + e, e);
    }
  }

  /** Files and bytes of a version, for listings. */
  public static long[] size(Path version) {
    try {
      long files = 0;
      long bytes = 0;
      for (BasicFileAttributes a : files(version).values()) {
        files++;
        bytes += a.size();
      }
      return new long[] {files, bytes};
    } catch (IOException e) {
      return new long[] {0, 0};
    }
  }
}
