package dev.syncjobs.core.local;

import dev.syncjobs.core.model.CancelledException;
import dev.syncjobs.core.model.DiskFullException;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.TransferException;
import dev.syncjobs.core.port.Transfer;
import dev.syncjobs.core.port.TransferReport;
import dev.syncjobs.core.port.TransferRequest;
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
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@link Transfer} for {@code file://} sources: copies a directory tree (or one file) into the
 * staging directory, applying the filters, hard-linking files whose size and modification time (or
 * content, with {@code compare_checksums}) match the previous version, and reusing complete files
 * left by an interrupted attempt. Symbolic links in the source are skipped and logged, so nothing
 * can point outside a version; folders left empty are not created.
 */
public final class LocalTransfer implements Transfer {
  private static final int BUFFER = 256 * 1024;
  private static final String TEMP_PREFIX = ".syncjobs-tmp-";

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
    try {
      List<Entry> entries = list(root, request);
      removeTempFiles(request.staging());
      long bytesTotal = entries.stream().mapToLong(Entry::size).sum();
      Counter counter = new Counter(entries.size(), bytesTotal, request);
      counter.report(null);
      long filesCopied = 0;
      long bytesCopied = 0;
      Set<Path> expected = new HashSet<>();
      for (Entry e : entries) {
        request.cancel().throwIfCancelled();
        Path target = request.staging().resolve(e.relative());
        expected.add(target);
        Files.createDirectories(target.getParent());
        if (sameFile(target, e)
            && (!request.options().compareChecksums() || sameContent(target, e.file()))) {
          counter.fileDone(e.size(), e.relative());
          continue;
        }
        Path previous = request.previousVersion().map(p -> p.resolve(e.relative())).orElse(null);
        if (previous != null
            && sameFile(previous, e)
            && (!request.options().compareChecksums() || sameContent(previous, e.file()))) {
          Files.deleteIfExists(target);
          Files.createLink(target, previous);
          counter.fileDone(e.size(), e.relative());
          continue;
        }
        copy(e, target, request, counter);
        filesCopied++;
        bytesCopied += e.size();
      }
      removeLeftovers(request.staging(), expected);
      counter.report(null);
      return new TransferReport(entries.size(), bytesTotal, filesCopied, bytesCopied, List.of());
    } catch (CancelledException e) {
      throw e;
    } catch (NoSuchFileException e) {
      throw new TransferException("a source file vanished during the run: " + e.getFile(), e);
    } catch (IOException e) {
      throw new TransferException("local copy failed: " + e, e);
    }
  }

  private record Entry(Path file, String relative, long size, FileTime modified) {}

  private static List<Entry> list(Path root, TransferRequest request) throws IOException {
    List<Entry> entries = new ArrayList<>();
    BasicFileAttributes rootAttrs =
        Files.readAttributes(root, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (rootAttrs.isRegularFile()) {
      entries.add(
          new Entry(
              root, root.getFileName().toString(), rootAttrs.size(), rootAttrs.lastModifiedTime()));
      return entries;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            request.cancel().throwIfCancelled();
            if (dir.equals(root)) {
              return FileVisitResult.CONTINUE;
            }
            return request.filters().includes(relative(root, dir), true)
                ? FileVisitResult.CONTINUE
                : FileVisitResult.SKIP_SUBTREE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            String rel = relative(root, file);
            if (attrs.isSymbolicLink()) {
              request.log().accept("skipped symbolic link " + rel);
            } else if (!attrs.isRegularFile()) {
              request.log().accept("skipped special file " + rel);
            } else if (request.filters().includes(rel, false)) {
              entries.add(new Entry(file, rel, attrs.size(), attrs.lastModifiedTime()));
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
            throw exc;
          }
        });
    return entries;
  }

  private static String relative(Path root, Path p) {
    return root.relativize(p).toString().replace('\\', '/');
  }

  private static boolean sameFile(Path candidate, Entry e) throws IOException {
    if (!Files.isRegularFile(candidate, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    BasicFileAttributes a =
        Files.readAttributes(candidate, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    return a.size() == e.size() && a.lastModifiedTime().toMillis() == e.modified().toMillis();
  }

  private static boolean sameContent(Path a, Path b) throws IOException {
    return Arrays.equals(sha256(a), sha256(b));
  }

  private static byte[] sha256(Path file) throws IOException {
    MessageDigest digest = newDigest();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[BUFFER];
      for (int n; (n = in.read(buf)) > 0; ) {
        digest.update(buf, 0, n);
      }
    }
    return digest.digest();
  }

  private static void copy(Entry e, Path target, TransferRequest request, Counter counter)
      throws IOException {
    Path temp = target.resolveSibling(TEMP_PREFIX + target.getFileName());
    DiskFullException.requireSpace(target.getParent(), e.size(), "copying " + e.relative());
    MessageDigest digest = request.options().verifyChecksums() ? newDigest() : null;
    Throttle throttle = new Throttle(request.options().bandwidthLimit());
    try (InputStream in = Files.newInputStream(e.file());
        OutputStream out = Files.newOutputStream(temp)) {
      byte[] buf = new byte[BUFFER];
      for (int n; (n = in.read(buf)) > 0; ) {
        request.cancel().throwIfCancelled();
        out.write(buf, 0, n);
        if (digest != null) {
          digest.update(buf, 0, n);
        }
        counter.bytes(n, e.relative());
        throttle.take(n);
      }
    } catch (IOException | RuntimeException failed) {
      // A copy restarts from byte 0, so a half-written temp file is only weight: on a full disk
      // it would keep the next run from fitting.
      Files.deleteIfExists(temp);
      if (DiskFullException.isDiskFull(failed)) {
        throw new DiskFullException("no space left for " + e.relative(), failed);
      }
      throw failed;
    }
    if (digest != null && !Arrays.equals(digest.digest(), sha256(temp))) {
      Files.deleteIfExists(temp);
      throw new TransferException("checksum of the copy of " + e.relative() + " does not match");
    }
    Files.setLastModifiedTime(temp, e.modified());
    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    counter.fileDone(0, e.relative());
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
            if (attrs.isRegularFile() && file.getFileName().toString().startsWith(TEMP_PREFIX)) {
              Files.delete(file);
            }
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private static void removeLeftovers(Path staging, Set<Path> expected) throws IOException {
    Files.walkFileTree(
        staging,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            if (dir.getParent() != null
                && dir.getParent().equals(staging)
                && dir.getFileName().toString().startsWith(".syncjobs")) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            boolean meta =
                file.getParent().equals(staging)
                    && file.getFileName().toString().startsWith(".syncjobs")
                    && !file.getFileName().toString().startsWith(TEMP_PREFIX);
            if (!meta && !expected.contains(file)) {
              Files.delete(file);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
            if (!dir.equals(staging)) {
              try (var children = Files.list(dir)) {
                if (children.findAny().isEmpty()) {
                  Files.delete(dir);
                }
              }
            }
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Counts progress and reports it; totals are known up front, so percent only grows. */
  private static final class Counter {
    private final long filesTotal;
    private final long bytesTotal;
    private final TransferRequest request;
    private final long started = System.nanoTime();
    private long files;
    private long bytes;
    private long copied;

    Counter(long filesTotal, long bytesTotal, TransferRequest request) {
      this.filesTotal = filesTotal;
      this.bytesTotal = bytesTotal;
      this.request = request;
    }

    void bytes(long n, String current) {
      bytes += n;
      copied += n;
      report(current);
    }

    void fileDone(long skippedBytes, String current) {
      files++;
      bytes += skippedBytes;
      report(current);
    }

    void report(String current) {
      long elapsedNanos = Math.max(1, System.nanoTime() - started);
      long rate = (long) (copied * 1e9 / elapsedNanos);
      request
          .progress()
          .onProgress(
              new Progress(
                  Math.min(files, filesTotal),
                  filesTotal,
                  Math.min(bytes, bytesTotal),
                  bytesTotal,
                  current,
                  rate));
    }
  }

  /** Sleeps as needed to keep to a bytes-per-second limit. */
  private static final class Throttle {
    private final Long limit;
    private final long start = System.nanoTime();
    private long taken;

    Throttle(Long limit) {
      this.limit = limit;
    }

    void take(long n) {
      if (limit == null) {
        return;
      }
      taken += n;
      long dueNanos = (long) (taken * 1e9 / limit);
      long waitNanos = dueNanos - (System.nanoTime() - start);
      if (waitNanos > 0) {
        try {
          Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new CancelledException();
        }
      }
    }
  }
}
