package dev.syncjobs.core.staging;

import dev.syncjobs.core.model.Destination;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.CharBuffer;
import java.nio.channels.Channels;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Where the names of a source land in one run's staging directory: the one place every transfer
 * asks. A name is kept byte for byte (on Linux a {@code \} is an ordinary character, never a
 * separator); one the backend cannot hold — empty, {@code .} or {@code ..}, holding a NUL or a
 * {@code /} inside one segment, longer than {@value #MAX_NAME_BYTES} bytes of UTF-8, a path longer
 * than {@value #MAX_PATH_BYTES} bytes — is refused: logged with its name, counted ({@link
 * #skipped()}), never a failure of the run. No name is reserved: syncjobs keeps its own records
 * beside the staging directory ({@link dev.syncjobs.core.version.Bookkeeping}), so a source's
 * {@code .syncjobs-…} file is an ordinary file. Every path handed out is checked to lie inside the
 * staging directory, and the folders leading to it are created without following symbolic links, so
 * nothing planted in staging can redirect a write outside it.
 *
 * <p>Thread-safe: a transfer may resolve names from several threads.
 */
public final class StagingPaths {
  /** Longest file name (one path segment) Linux file systems hold, in bytes. */
  public static final int MAX_NAME_BYTES = 255;

  /** Longest path the kernel accepts in one call (PATH_MAX less the terminating NUL). */
  public static final int MAX_PATH_BYTES = 4095;

  /** Prefix of the temporary names files are written under before they get their own. */
  public static final String TEMP_PREFIX = Destination.RESERVED_PREFIX + "-tmp-";

  private static final int MAX_LOGGED = 1000;

  private final Path staging;
  private final int stagingBytes;
  private final Consumer<String> log;
  private final AtomicLong skipped = new AtomicLong();
  private final Set<Path> checkedDirs = ConcurrentHashMap.newKeySet();

  /**
   * @param staging the run's staging directory (it need not exist yet)
   * @param log the run's log, for the line naming each refused name
   */
  public StagingPaths(Path staging, Consumer<String> log) {
    this.staging = Objects.requireNonNull(staging, "staging").toAbsolutePath().normalize();
    this.stagingBytes = this.staging.toString().getBytes(StandardCharsets.UTF_8).length;
    this.log = Objects.requireNonNull(log, "log");
  }

  /** The staging directory, absolute. */
  public Path staging() {
    return staging;
  }

  /**
   * Why a file system cannot hold {@code segment} as one file name, or empty when it can.
   *
   * @param segment one name, not a path
   */
  public static Optional<String> nameProblem(String segment) {
    if (segment.isEmpty()) {
      return Optional.of("an empty name");
    }
    if (segment.equals(".") || segment.equals("..")) {
      return Optional.of("'" + segment + "' names no file");
    }
    if (segment.indexOf('\0') >= 0) {
      return Optional.of("it holds a NUL character");
    }
    if (segment.indexOf('/') >= 0) {
      return Optional.of("it holds a '/' inside one name");
    }
    int bytes;
    try {
      bytes =
          StandardCharsets.UTF_8
              .newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(CharBuffer.wrap(segment))
              .remaining();
    } catch (CharacterCodingException e) {
      return Optional.of("it is not valid Unicode");
    }
    if (bytes > MAX_NAME_BYTES) {
      return Optional.of("it is " + bytes + " bytes long, more than " + MAX_NAME_BYTES);
    }
    return Optional.empty();
  }

  /**
   * Why {@code relative} (segments separated by {@code /} only) cannot land in staging, or empty
   * when it can.
   */
  public Optional<String> problem(String relative) {
    return problem(segments(relative), relative.getBytes(StandardCharsets.UTF_8).length);
  }

  private Optional<String> problem(List<String> segments, int relativeBytes) {
    if (segments.isEmpty()) {
      return Optional.of("an empty name");
    }
    for (String s : segments) {
      Optional<String> p = nameProblem(s);
      if (p.isPresent()) {
        return p;
      }
    }
    // the temporary name beside the file adds a few bytes; it is never longer than the name itself
    if (stagingBytes + 1 + relativeBytes > MAX_PATH_BYTES) {
      return Optional.of("its path is longer than " + MAX_PATH_BYTES + " bytes");
    }
    return Optional.empty();
  }

  /**
   * Where {@code relative} lands, or empty after logging and counting it when the backend cannot
   * hold it.
   *
   * @param relative the source's path below its root, segments separated by {@code /} only
   */
  public Optional<Path> resolve(String relative) {
    Optional<String> p = problem(relative);
    if (p.isPresent()) {
      skip(relative, p.get());
      return Optional.empty();
    }
    return contained(staging.resolve(relative), relative);
  }

  /**
   * Where {@code relative} lands, or empty after logging and counting it when the backend cannot
   * hold it. Its name elements are the segments, taken byte for byte (a name that is not valid in
   * the platform's encoding keeps its bytes).
   *
   * @param relative a relative path of the default file system
   */
  public Optional<Path> resolve(Path relative) {
    List<String> segments = new ArrayList<>();
    if (!relative.isAbsolute()) {
      for (Path name : relative) {
        segments.add(name.toString());
      }
    }
    String shown = relative.toString();
    if (relative.isAbsolute()) {
      skip(shown, "it is not a relative name");
      return Optional.empty();
    }
    Optional<String> p = problem(segments, shown.getBytes(StandardCharsets.UTF_8).length);
    if (p.isPresent()) {
      skip(shown, p.get());
      return Optional.empty();
    }
    return contained(staging.resolve(relative), shown);
  }

  private Optional<Path> contained(Path target, String shown) {
    Path normal = target.normalize();
    if (!normal.startsWith(staging) || normal.equals(staging) || !normal.equals(target)) {
      skip(shown, "it resolves outside the staging directory");
      return Optional.empty();
    }
    return Optional.of(target);
  }

  /**
   * Records a name the transfer refused itself (e.g. a listing entry that is not valid UTF-8): one
   * log line naming it, and one more in {@link #skipped()}.
   */
  public void skip(String name, String reason) {
    long n = skipped.incrementAndGet();
    if (n <= MAX_LOGGED) {
      log.accept("skipped " + printable(name) + ": " + reason);
    } else if (n == MAX_LOGGED + 1) {
      log.accept("(more skipped names not logged; all are counted in files_skipped)");
    }
  }

  /** Names refused so far in this run. */
  public long skipped() {
    return skipped.get();
  }

  /**
   * A name as a log line can show it: control characters escaped ({@code \n}, {@code \x00}), the
   * rest as it is.
   */
  public static String printable(String name) {
    StringBuilder sb = new StringBuilder(name.length() + 2).append('"');
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '\n') {
        sb.append("\\n");
      } else if (c == '\t') {
        sb.append("\\t");
      } else if (c == '"') {
        sb.append("\\\"");
      } else if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\x%02x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }

  /**
   * Creates the folders from the staging directory down to {@code target}'s parent, following no
   * symbolic link: a link or a file standing where a folder must be is removed (staging holds only
   * what this run and its interrupted attempts wrote) and a folder is made in its place.
   *
   * @param target a path {@link #resolve} returned
   * @param mode permissions of the folders this creates, null for the default (umask)
   */
  public void createParents(Path target, Set<PosixFilePermission> mode) throws IOException {
    Path parent = target.getParent();
    if (parent == null || !parent.startsWith(staging)) {
      throw new IOException("not inside the staging directory " + staging + ": " + target);
    }
    if (checkedDirs.contains(parent)) {
      return;
    }
    ensureStaging();
    Path dir = staging;
    for (Path name : staging.relativize(parent)) {
      dir = dir.resolve(name);
      if (!checkedDirs.contains(dir)) {
        ensureDirectory(dir, mode);
        checkedDirs.add(dir);
      }
    }
  }

  /**
   * Creates the folder {@code dir} and those leading to it, as {@link #createParents} does.
   *
   * @param dir a path {@link #resolve} returned
   */
  public void createFolder(Path dir, Set<PosixFilePermission> mode) throws IOException {
    createParents(dir, mode);
    if (!checkedDirs.contains(dir)) {
      ensureDirectory(dir, mode);
      checkedDirs.add(dir);
    }
  }

  private void ensureStaging() throws IOException {
    if (checkedDirs.contains(staging)) {
      return;
    }
    try {
      BasicFileAttributes a =
          Files.readAttributes(staging, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!a.isDirectory()) {
        throw new IOException("the staging directory " + staging + " is not a directory");
      }
    } catch (NoSuchFileException e) {
      Files.createDirectories(staging);
    }
    checkedDirs.add(staging);
  }

  /**
   * Makes {@code dir} a directory whose parent exists: kept when it is one, a symbolic link or file
   * in its place removed (never followed), created with {@code mode} (null: the default mode) when
   * missing, and a race with another thread creating it tolerated.
   */
  public static void ensureDirectory(Path dir, Set<PosixFilePermission> mode) throws IOException {
    for (int attempt = 0; ; attempt++) {
      BasicFileAttributes a;
      try {
        a = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        a = null;
      }
      if (a != null && a.isDirectory()) {
        return;
      }
      if (a != null) {
        Files.delete(dir); // a symbolic link or a file: never followed
      }
      try {
        Files.createDirectory(dir);
        if (mode != null) {
          setMode(dir, mode);
        }
        return;
      } catch (FileAlreadyExistsException e) {
        if (attempt > 2) {
          throw e;
        }
        // another thread of this transfer made it: look again
      }
    }
  }

  /**
   * Whether the staging directory {@code staging} exists and holds anything: what an interrupted
   * attempt left in it, for a transfer to resume from. A fresh one holds nothing.
   */
  public static boolean holdsEntries(Path staging) throws IOException {
    if (!Files.isDirectory(staging, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    try (var entries = Files.newDirectoryStream(staging)) {
      return entries.iterator().hasNext();
    }
  }

  /** A short unused temporary name beside {@code target}, whatever the length of its own name. */
  public static Path tempFor(Path target) {
    return target.resolveSibling(
        TEMP_PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE));
  }

  /**
   * Opens a new file for writing, mode 0600: it must not exist yet, and a symbolic link in its
   * place is never followed.
   */
  public static OutputStream createNew(Path file) throws IOException {
    // Readable by the owner alone until the transfer gives the file its final mode.
    return Channels.newOutputStream(
        Files.newByteChannel(
            file,
            Set.of(
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
            PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE)));
  }

  private static final Set<PosixFilePermission> OWNER_READ_WRITE =
      PosixFilePermissions.fromString("rw-------");

  /** Sets permissions on {@code file} itself, never on what a symbolic link there points to. */
  public static void setMode(Path file, Set<PosixFilePermission> mode) throws IOException {
    Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
        .setPermissions(mode);
  }

  private static List<String> segments(String relative) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= relative.length(); i++) {
      if (i == relative.length() || relative.charAt(i) == '/') {
        out.add(relative.substring(start, i));
        start = i + 1;
      }
    }
    return out;
  }
}
