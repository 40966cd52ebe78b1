package dev.syncjobs.http;

import dev.syncjobs.core.model.DiskFullException;
import dev.syncjobs.core.model.TransferException;
import dev.syncjobs.core.progress.ProgressCounter;
import dev.syncjobs.core.throttle.Throttle;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Downloads one file into the staging directory: under a temporary name in the staging directory's
 * records ({@link PartialFolder}, beside staging on the same file system, never inside it), split
 * into parallel Range segments when it is large and the server accepts ranges, resuming what an
 * earlier attempt left (Range + If-Range; starting over when the validator changed), retrying
 * faults from the bytes on disk, verifying length and checksum, then renaming into place.
 */
final class Downloader {
  /** The mode of a completed file: it belongs to a version, which is immutable. */
  static final Set<PosixFilePermission> READ_ONLY = PosixFilePermissions.fromString("r--r--r--");

  private final HttpFetcher http;
  private final Retry retry;
  private final HttpSettings settings;
  private final Throttle throttle;
  private final ProgressCounter progress;
  private final PartialFolder partial;
  private final boolean hash;
  private final Consumer<String> log;
  private final BooleanSupplier stopped;
  private final SegmentFetcher segments;

  Downloader(
      HttpFetcher http,
      Retry retry,
      HttpSettings settings,
      Throttle throttle,
      ProgressCounter progress,
      PartialFolder partial,
      boolean hash,
      Consumer<String> log,
      BooleanSupplier stopped,
      ExecutorService segmentPool) {
    this.http = http;
    this.retry = retry;
    this.settings = settings;
    this.throttle = throttle;
    this.progress = progress;
    this.partial = partial;
    this.hash = hash;
    this.log = log;
    this.stopped = stopped;
    this.segments = new SegmentFetcher(http, retry, throttle, log, segmentPool);
  }

  private final Set<Path> madeDirs = ConcurrentHashMap.newKeySet();

  private void ensureDir(Path dir) throws IOException {
    if (!madeDirs.contains(dir)) {
      Files.createDirectories(dir);
      madeDirs.add(dir);
    }
  }

  /** What was downloaded. */
  record Result(long size, Instant lastModified, String etag, String sha256) {}

  /** The server no longer has the file (404/410). */
  static final class VanishedException extends IOException {
    VanishedException(String message) {
      super(message);
    }
  }

  /**
   * Downloads {@code f} to {@code target}.
   *
   * @param expected the checksum a checksum file states for it, or null
   * @throws VanishedException when the server no longer has it
   */
  Result fetch(RemoteFile f, Path target, Checksums.Expected expected) throws IOException {
    partial.create();
    String key = PartialFolder.key(f.path());
    FileDownload j = new FileDownload(f, key, partial.dir, stopped, progress, hash);
    boolean left = partial.leftBehind(key);
    PartialState st = left ? PartialState.load(j.stateFile) : null;
    if (st != null
        && (!st.url.equals(f.url())
            || st.validator == null
            || st.total < 0
            || !Files.isRegularFile(j.part)
            || (f.size() != null && st.total != f.size()))) {
      st = null;
    }
    if (st != null && st.segments.size() == 1 && st.segments.get(0).start == 0) {
      // one stream writes in order, so the file's length is what is on disk even when the
      // process died before saving the state
      PartialState.Segment only = st.segments.get(0);
      long onDisk = Files.size(j.part);
      only.done = only.end >= 0 ? Math.min(onDisk, only.end) : onDisk;
    }
    if (st != null) {
      long have = st.written();
      log.accept("resuming " + f.path() + " from " + have + " of " + st.total + " bytes");
      j.onDisk.set(have);
      j.credited.set(have);
      progress.bytes(have);
      j.digest = null;
    } else {
      if (left) {
        Files.deleteIfExists(j.part);
        Files.deleteIfExists(j.stateFile);
      }
      j.resetDigest();
    }
    try {
      if (f.size() != null) {
        partial.space().require(f.size() - j.onDisk.get(), f.path());
      }
      st = download(j, st);
    } catch (IOException | RuntimeException e) {
      if (DiskFullException.isDiskFull(e)) {
        // Resuming needs room the disk does not have: what this file holds on disk only keeps
        // the next run (once space is freed or the file left the source) from fitting.
        Files.deleteIfExists(j.part);
        Files.deleteIfExists(j.stateFile);
        throw e instanceof DiskFullException d
            ? d
            : new DiskFullException("no space left for " + f.path() + ": " + e.getMessage(), e);
      }
      throw e;
    }
    long size = Files.size(j.part);
    if (st.total >= 0 && size != st.total) {
      Files.deleteIfExists(j.part);
      Files.deleteIfExists(j.stateFile);
      throw new TransferException(
          "download of " + f.path() + " has " + size + " bytes, the server announced " + st.total);
    }
    String sha = null;
    if (hash) {
      sha =
          j.digest != null && j.digestPos == size
              ? HexFormat.of().formatHex(j.digest.digest())
              : Digests.hashFile(j.part, "SHA-256");
    }
    if (expected != null) {
      String actual =
          expected.algorithm().equals("SHA-256") && sha != null
              ? sha
              : Digests.hashFile(j.part, expected.algorithm());
      if (!actual.equals(expected.hex())) {
        Files.deleteIfExists(j.part);
        Files.deleteIfExists(j.stateFile);
        throw new TransferException(
            "checksum mismatch for "
                + f.path()
                + ": "
                + expected.from()
                + " says "
                + expected.algorithm()
                + " "
                + expected.hex()
                + ", the downloaded file has "
                + actual,
            false,
            null);
      }
    }
    Instant mtime = j.lastModified != null ? j.lastModified : f.mtime();
    if (mtime != null) {
      // the access time too, to the same time (as rclone does): given both times, the JDK sets
      // them without reading the file's attributes first
      FileTime time = FileTime.from(mtime);
      Files.getFileAttributeView(j.part, BasicFileAttributeView.class).setTimes(time, time, null);
    }
    Files.setPosixFilePermissions(j.part, READ_ONLY); // a version's files are never written again
    ensureDir(target.getParent());
    Files.move(j.part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    if (j.stateWritten || left) {
      Files.deleteIfExists(j.stateFile);
    }
    return new Result(size, j.lastModified, j.etag, sha);
  }

  /** Runs {@code j}'s segments to the end, restarting from byte 0 when the file changed. */
  private PartialState download(FileDownload j, PartialState st) throws IOException {
    RemoteFile f = j.file;
    for (int restart = 0; ; restart++) {
      try (FileChannel ch =
          FileChannel.open(
              j.part,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              LinkOption.NOFOLLOW_LINKS)) {
        j.channel = ch;
        if (st == null) {
          st = start(j);
          j.state = st;
          if (f.size() == null) {
            // the listing did not say; the answer's length does
            partial.space().require(st.total, f.path());
          }
          j.saveQuietly();
        }
        j.state = st;
        segments.run(j);
        break;
      } catch (RestartException e) {
        if (restart >= 2) {
          throw new TransferException(
              "download of " + f.path() + " keeps changing on the server: " + e.getMessage(),
              true,
              e);
        }
        log.accept("restarting " + f.path() + " from byte 0: " + e.getMessage());
        j.initial.values().forEach(r -> r.body().abort());
        j.initial.clear();
        j.state = null;
        st = null;
        j.onDisk.set(0);
        j.failed = false;
        j.resetDigest();
        Files.deleteIfExists(j.part);
        Files.deleteIfExists(j.stateFile);
      } finally {
        j.initial.values().forEach(r -> r.body().abort());
        j.initial.clear();
        if (j.state != null && !allComplete(j.state)) {
          j.saveQuietly();
        }
      }
    }
    return st;
  }

  private static boolean allComplete(PartialState st) {
    synchronized (st.segments) {
      return st.segments.stream().allMatch(PartialState.Segment::complete);
    }
  }

  private PartialState start(FileDownload j) throws IOException {
    RemoteFile f = j.file;
    int streams = settings.segmentStreams();
    boolean segmented = f.size() != null && f.size() >= settings.segmentThreshold() && streams > 1;
    long segLen = segmented ? (f.size() + streams - 1) / streams : 0;
    Map<String, String> headers = segmented ? Map.of("Range", "bytes=0-" + (segLen - 1)) : Map.of();
    HttpFetcher.Response r =
        retry.call(
            "GET " + f.uri(),
            () -> {
              HttpFetcher.Response resp = http.send("GET", f.uri(), headers, false);
              vanished(resp, f);
              HttpFetcher.expect(resp, Clock.systemUTC(), 200, 206);
              return resp;
            });
    j.headers(r);
    if (r.status() == 206) {
      long[] cr = contentRange(r);
      if (cr == null || cr[0] != 0 || cr[2] < 0) {
        r.body().abort();
        throw new IOException("unusable Content-Range from " + r.uri());
      }
      long total = cr[2];
      PartialState st = new PartialState(f.url(), r.validator(), total);
      PartialState.Segment first = new PartialState.Segment(0, Math.min(segLen, total), 0);
      st.segments.add(first);
      long rest = total - first.end;
      int others = streams - 1;
      long per = rest <= 0 ? 0 : (rest + others - 1) / others;
      for (long s = first.end; s < total; s += per) {
        st.segments.add(new PartialState.Segment(s, Math.min(total, s + per), 0));
      }
      j.initial.put(first, r);
      if (st.segments.size() > 1) {
        j.digest = null;
      }
      return st;
    }
    long len = r.contentLength();
    PartialState st = new PartialState(f.url(), r.validator(), len);
    PartialState.Segment only = new PartialState.Segment(0, len, 0);
    st.segments.add(only);
    j.initial.put(only, r);
    return st;
  }

  static void vanished(HttpFetcher.Response r, RemoteFile f) throws IOException {
    if (r.status() == 404 || r.status() == 410) {
      r.body().abort();
      throw new VanishedException(f.path() + " is gone from the server (HTTP " + r.status() + ")");
    }
  }

  /** {start, end (inclusive), total (-1 when '*')} of a Content-Range, or null. */
  static long[] contentRange(HttpFetcher.Response r) {
    String v = r.header("Content-Range").orElse("").trim();
    if (!v.startsWith("bytes ")) {
      return null;
    }
    try {
      String spec = v.substring(6).trim();
      int dash = spec.indexOf('-');
      int slash = spec.indexOf('/');
      long start = Long.parseLong(spec.substring(0, dash).trim());
      long end = Long.parseLong(spec.substring(dash + 1, slash).trim());
      String t = spec.substring(slash + 1).trim();
      return new long[] {start, end, t.equals("*") ? -1 : Long.parseLong(t)};
    } catch (RuntimeException e) {
      return null;
    }
  }
}
