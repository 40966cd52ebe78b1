package dev.syncjobs.core.local;

import dev.syncjobs.core.model.CancelledException;
import dev.syncjobs.core.model.DiskFullException;
import dev.syncjobs.core.model.FreeSpace;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.TransferException;
import dev.syncjobs.core.port.Transfer;
import dev.syncjobs.core.port.TransferReport;
import dev.syncjobs.core.port.TransferRequest;
import dev.syncjobs.core.progress.ProgressCounter;
import dev.syncjobs.core.staging.StagingPaths;
import dev.syncjobs.core.staging.StagingPrune;
import dev.syncjobs.core.throttle.Throttle;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@link Transfer} for {@code file://} sources: copies a directory tree (or one file) into the
 * staging directory, applying the filters, hard-linking files whose size, modification time and
 * mode (or content, with {@code compare_checksums}) match the previous version, and reusing
 * complete files left by an interrupted attempt. Names land where {@link StagingPaths} says: byte
 * for byte, inside staging, through no symbolic link; a name the backend cannot hold is skipped and
 * counted. Files keep the source's permission bits without the write bits, folders the source's
 * bits plus the owner's rwx (the engine must manage the tree), so no file of a version is readable
 * by more users than its source. Symbolic links in the source are skipped and logged, so nothing
 * can point outside a version; folders left empty are not created.
 */
public final class LocalTransfer implements Transfer {
  private static final int BUFFER = 256 * 1024;

  private static final Set<PosixFilePermission> WRITE =
      EnumSet.of(
          PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.OTHERS_WRITE);
  private static final Set<PosixFilePermission> OWNER_ALL =
      EnumSet.of(
          PosixFilePermission.OWNER_READ,
          PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.OWNER_EXECUTE);

  @Override
  public boolean supports(Source source) {
    return source instanceof Source.Local;
  }

  @Override
  public TransferReport transfer(TransferRequest request) {
    Path root = ((Source.Local) request.source()).path();
    if (!Files.exists(root)) {
      throw new TransferException("source " + root + " does not exist");
    }
    if (!Files.isReadable(root)) {
      throw new TransferException("source " + root + " is not readable", false, null);
    }
    StagingPaths paths = new StagingPaths(request.staging(), request.log());
    try {
      Listing listing = list(root, request, paths);
      List<Entry> entries = listing.files();
      removeTempFiles(paths.staging());
      long bytesTotal = entries.stream().mapToLong(Entry::size).sum();
      ProgressCounter counter = new ProgressCounter(request.progress(), Duration.ZERO);
      counter.totals(entries.size(), bytesTotal);
      long filesCopied = 0;
      long bytesCopied = 0;
      Set<Path> expected = new HashSet<>();
      FreeSpace space = FreeSpace.of(paths.staging());
      for (Entry e : entries) {
        request.cancel().throwIfCancelled();
        Path target = e.target();
        expected.add(target);
        paths.createParents(target, OWNER_ALL);
        if (leftover(target, e)
            && (!request.options().compareChecksums() || sameContent(target, e.file()))) {
          counter.current(e.shown());
          counter.fileDone(e.size());
          continue;
        }
        Path previous = request.previousVersion().map(p -> p.resolve(e.relative())).orElse(null);
        if (previous != null
            && sameFile(previous, e)
            && (!request.options().compareChecksums() || sameContent(previous, e.file()))) {
          Files.deleteIfExists(target);
          Files.createLink(target, previous);
          counter.current(e.shown());
          counter.fileDone(e.size());
          continue;
        }
        copy(e, target, request, counter, space);
        filesCopied++;
        bytesCopied += e.size();
      }
      removeLeftovers(paths.staging(), expected);
      applyFolderModes(paths.staging(), listing.folders());
      counter.current(null);
      counter.report(true);
      return new TransferReport(
          entries.size(), bytesTotal, filesCopied, bytesCopied, List.of(), false, paths.skipped());
    } catch (CancelledException e) {
      throw e;
    } catch (NoSuchFileException e) {
      throw new TransferException("a source file vanished during the run: " + e.getFile(), e);
    } catch (IOException e) {
      throw new TransferException("local copy failed: " + e, e);
    }
  }

  /**
   * A source file to mirror.
   *
   * @param relative its path below the source root, name elements kept byte for byte
   * @param shown the same as text, for filters, progress and messages
   * @param target where it lands in staging
   * @param mode the mode it gets there: the source's without write bits
   */
  private record Entry(
      Path file,
      Path relative,
      String shown,
      Path target,
      long size,
      FileTime modified,
      Set<PosixFilePermission> mode) {}

  /** The files to mirror, and the source's folders (relative path → mode) to give their modes. */
  private record Listing(List<Entry> files, Map<Path, Set<PosixFilePermission>> folders) {}

  private static Listing list(Path root, TransferRequest request, StagingPaths paths)
      throws IOException {
    List<Entry> entries = new ArrayList<>();
    Map<Path, Set<PosixFilePermission>> folders = new HashMap<>();
    BasicFileAttributes rootAttrs =
        Files.readAttributes(root, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (rootAttrs.isRegularFile()) {
      Path name = root.getFileName();
      Optional<Path> target = paths.resolve(name);
      if (target.isPresent()) {
        entries.add(entry(root, name, target.get(), rootAttrs, permissions(root, rootAttrs)));
      }
      return new Listing(entries, folders);
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            request.cancel().throwIfCancelled();
            Path rel = root.relativize(dir);
            if (dir.equals(root) || request.filters().includes(text(rel), true)) {
              folders.put(rel, permissions(dir, attrs));
              return FileVisitResult.CONTINUE;
            }
            return FileVisitResult.SKIP_SUBTREE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Path rel = root.relativize(file);
            String shown = text(rel);
            if (attrs.isSymbolicLink()) {
              request.log().accept("skipped symbolic link " + StagingPaths.printable(shown));
            } else if (!attrs.isRegularFile()) {
              request.log().accept("skipped special file " + StagingPaths.printable(shown));
            } else if (request.filters().includes(shown, false)) {
              Optional<Path> target = paths.resolve(rel);
              if (target.isPresent()) {
                entries.add(entry(file, rel, target.get(), attrs, permissions(file, attrs)));
              }
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
            throw exc;
          }
        });
    return new Listing(entries, folders);
  }

  private static Entry entry(
      Path file,
      Path relative,
      Path target,
      BasicFileAttributes attrs,
      Set<PosixFilePermission> sourceMode) {
    Set<PosixFilePermission> mode = EnumSet.noneOf(PosixFilePermission.class);
    mode.addAll(sourceMode);
    mode.removeAll(WRITE);
    return new Entry(
        file, relative, text(relative), target, attrs.size(), attrs.lastModifiedTime(), mode);
  }

  private static Set<PosixFilePermission> permissions(Path p, BasicFileAttributes attrs)
      throws IOException {
    if (attrs instanceof PosixFileAttributes posix) {
      return posix.permissions();
    }
    return Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
  }

  /** A relative path as filters see it: its name elements joined by '/', nothing translated. */
  private static String text(Path relative) {
    StringBuilder sb = new StringBuilder();
    for (Path name : relative) {
      if (sb.length() > 0) {
        sb.append('/');
      }
      sb.append(name);
    }
    return sb.toString();
  }

  /**
   * Whether an interrupted attempt left {@code target} complete (same size and time as the source).
   * A leftover of its own (one link) whose mode is not the source's is given the source's mode; one
   * that shares its inode with the previous version is reused only with the same mode, since
   * changing it would change a published file.
   */
  private static boolean leftover(Path target, Entry e) throws IOException {
    PosixFileAttributes a = sizeAndTimeOf(target, e);
    if (a == null) {
      return false;
    }
    if (a.permissions().equals(e.mode())) {
      return true;
    }
    if (((Number) Files.getAttribute(target, "unix:nlink", LinkOption.NOFOLLOW_LINKS)).intValue()
        != 1) {
      return false;
    }
    StagingPaths.setMode(target, e.mode());
    return true;
  }

  private static boolean sameFile(Path candidate, Entry e) throws IOException {
    PosixFileAttributes a = sizeAndTimeOf(candidate, e);
    return a != null && a.permissions().equals(e.mode());
  }

  /**
   * The attributes of {@code p} (its link never followed) when it is a regular file with the
   * entry's size and modification time; null otherwise, or when it does not exist.
   */
  private static PosixFileAttributes sizeAndTimeOf(Path p, Entry e) throws IOException {
    PosixFileAttributes a;
    try {
      a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException missing) {
      return null;
    }
    boolean same =
        a.isRegularFile()
            && a.size() == e.size()
            && a.lastModifiedTime().toMillis() == e.modified().toMillis();
    return same ? a : null;
  }

  private static boolean sameContent(Path a, Path b) throws IOException {
    return Arrays.equals(sha256(a), sha256(b));
  }

  private static byte[] sha256(Path file) throws IOException {
    MessageDigest digest = newDigest();
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      byte[] buf = new byte[BUFFER];
      for (int n; (n = in.read(buf)) > 0; ) {
        digest.update(buf, 0, n);
      }
    }
    return digest.digest();
  }

  private static void copy(
      Entry e, Path target, TransferRequest request, ProgressCounter counter, FreeSpace space)
      throws IOException {
    Path temp = StagingPaths.tempFor(target);
    space.require(e.size(), "copying " + e.shown());
    MessageDigest digest = request.options().verifyChecksums() ? newDigest() : null;
    try (InputStream in = Files.newInputStream(e.file(), LinkOption.NOFOLLOW_LINKS);
        OutputStream out = StagingPaths.createNew(temp)) {
      byte[] buf = new byte[BUFFER];
      Throttle throttle = request.options().throttle();
      for (int n; (n = in.read(buf, 0, throttle.maxRead(buf.length))) > 0; ) {
        request.cancel().throwIfCancelled();
        out.write(buf, 0, n);
        if (digest != null) {
          digest.update(buf, 0, n);
        }
        counter.current(e.shown());
        counter.copied(n);
        throttle.acquire(n, request.cancel()::isCancelled);
      }
    } catch (IOException | RuntimeException failed) {
      // A copy restarts from byte 0, so a half-written temp file is only weight: on a full disk
      // it would keep the next run from fitting.
      Files.deleteIfExists(temp);
      if (DiskFullException.isDiskFull(failed)) {
        throw new DiskFullException("no space left for " + e.shown(), failed);
      }
      throw failed;
    }
    if (digest != null && !Arrays.equals(digest.digest(), sha256(temp))) {
      Files.deleteIfExists(temp);
      throw new TransferException("checksum of the copy of " + e.shown() + " does not match");
    }
    Files.getFileAttributeView(temp, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
        .setTimes(e.modified(), null, null);
    StagingPaths.setMode(temp, e.mode());
    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    counter.current(e.shown());
    counter.fileDone();
  }

  /**
   * Gives each folder of staging that mirrors a source folder that folder's mode, plus the owner's
   * rwx; staging itself mirrors the source root.
   */
  private static void applyFolderModes(Path staging, Map<Path, Set<PosixFilePermission>> folders)
      throws IOException {
    for (var f : folders.entrySet()) {
      Path dir = f.getKey().toString().isEmpty() ? staging : staging.resolve(f.getKey());
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        continue; // nothing below it was mirrored
      }
      Set<PosixFilePermission> mode = EnumSet.noneOf(PosixFilePermission.class);
      mode.addAll(f.getValue());
      mode.addAll(OWNER_ALL);
      if (!Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS).equals(mode)) {
        StagingPaths.setMode(dir, mode);
      }
    }
  }

  /**
   * Deletes the temp files an interrupted attempt left in a reused staging directory: a copy
   * restarts from byte 0, so they are only weight, and on a nearly full disk they would keep the
   * files still to copy from fitting.
   */
  private static void removeTempFiles(Path staging) throws IOException {
    try (var top = Files.list(staging)) {
      if (top.findAny().isEmpty()) {
        return; // a fresh staging directory
      }
    }
    Files.walkFileTree(
        staging,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            if (attrs.isRegularFile()
                && file.getFileName().toString().startsWith(StagingPaths.TEMP_PREFIX)) {
              Files.delete(file);
            }
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private static void removeLeftovers(Path staging, Set<Path> expected) throws IOException {
    if (Files.isDirectory(staging, LinkOption.NOFOLLOW_LINKS)) {
      StagingPrune.keepOnly(staging, expected, Set.of());
    }
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
