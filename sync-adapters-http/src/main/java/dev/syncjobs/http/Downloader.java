package dev.syncjobs.http;

import dev.syncjobs.core.model.CancelledException;
import dev.syncjobs.core.model.DiskFullException;
import dev.syncjobs.core.model.TransferException;
import dev.syncjobs.core.port.Throttle;
import dev.syncjobs.core.version.Bookkeeping;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Downloads one file into the staging directory: under a temporary name in the staging directory's
 * records ({@link #partialDir}, beside staging on the same file system, never inside it), split
 * into parallel Range segments when it is large and the server accepts ranges, resuming what an
 * earlier attempt left (Range + If-Range; starting over when the validator changed), retrying
 * faults from the bytes on disk, verifying length and checksum, then renaming into place.
 */
final class Downloader {
  /** The mode of a completed file: it belongs to a version, which is immutable. */
  static final Set<PosixFilePermission> READ_ONLY = PosixFilePermissions.fromString("r--r--r--");

  /** The folder of partial downloads in a staging directory's records ({@link Bookkeeping}). */
  static final String PARTIAL_DIR = "partial";

  /**
   * A segmented download's state is saved after every 1/{@value #SAVES_PER_FILE} of the file, and
   * after at least {@link #SAVE_EVERY_MIN} bytes: a crash loses at most that much of each file.
   */
  private static final long SAVES_PER_FILE = 128;

  private static final long SAVE_EVERY_MIN = 512L << 10;

  /**
   * Received bytes are gathered in a megabyte per stream before they are written: one write (and
   * one take of the file's lock, which the segments of a file share) per megabyte instead of one
   * per socket read. One buffer per download thread, reused by its files.
   */
  private static final ThreadLocal<byte[]> WRITE_BUFFERS =
      ThreadLocal.withInitial(() -> new byte[1 << 20]);

  /** Gathered bytes are written at the latest this long after the previous write. */
  private static final long WRITE_DELAY_NANOS = 100_000_000L;

  /** Smaller files are not worth a state file: an interrupted one starts again. */
  private static final long RESUME_MIN = 4L << 20;

  private final HttpFetcher http;
  private final Retry retry;
  private final HttpSettings settings;
  private final Throttle throttle;
  private final ProgressTracker progress;
  private final Path partialDir;
  private final boolean hash;
  private final Consumer<String> log;
  private final BooleanSupplier stopped;
  private final ExecutorService segmentPool;

  Downloader(
      HttpFetcher http,
      Retry retry,
      HttpSettings settings,
      Throttle throttle,
      ProgressTracker progress,
      Path staging,
      boolean hash,
      Consumer<String> log,
      BooleanSupplier stopped,
      ExecutorService segmentPool) {
    this.http = http;
    this.retry = retry;
    this.settings = settings;
    this.throttle = throttle;
    this.progress = progress;
    this.partialDir = partialDir(staging);
    this.hash = hash;
    this.log = log;
    this.stopped = stopped;
    this.segmentPool = segmentPool;
    Set<String> found = ConcurrentHashMap.newKeySet();
    if (Files.isDirectory(partialDir)) {
      try (Stream<Path> list = Files.list(partialDir)) {
        list.forEach(p -> found.add(p.getFileName().toString()));
      } catch (IOException e) {
        // treated as no leftovers
      }
    }
    this.leftovers = found;
  }

  private final Set<String> leftovers;

  /**
   * Creates the folder of partial downloads (its records folder exists): a symbolic link or a file
   * in its place is removed, never followed, so no partial download is written outside it.
   */
  void createPartialDir() throws IOException {
    if (Files.isSymbolicLink(partialDir)
        || Files.isRegularFile(partialDir, LinkOption.NOFOLLOW_LINKS)) {
      Files.delete(partialDir);
    }
    if (!Files.isDirectory(partialDir, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectory(partialDir);
    }
    madeDirs.add(partialDir);
  }

  /** Where the partial downloads of {@code staging} are kept. */
  static Path partialDir(Path staging) {
    return Bookkeeping.of(staging).resolve(PARTIAL_DIR);
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

  /** The bytes on disk belong to another version of the file: start again from byte 0. */
  private static final class RestartException extends IOException {
    RestartException(String message) {
      super(message);
    }
  }

  /** One file's download in progress. */
  private final class FileDownload {
    final RemoteFile file;
    final Path part;
    final Path stateFile;
    final AtomicLong onDisk = new AtomicLong();
    final AtomicLong credited = new AtomicLong();
    final AtomicLong sinceSave = new AtomicLong();
    final Map<PartialState.Segment, HttpFetcher.Response> initial = new ConcurrentHashMap<>();
    volatile boolean failed;
    volatile boolean stateWritten;
    FileChannel channel;
    PartialState state;
    MessageDigest digest;
    long digestPos;
    volatile Instant lastModified;
    volatile String etag;

    FileDownload(RemoteFile file, String key) {
      this.file = file;
      this.part = partialDir.resolve(key + ".part");
      this.stateFile = partialDir.resolve(key + ".state");
    }

    boolean stopped() {
      return failed || stopped.getAsBoolean();
    }

    void headers(HttpFetcher.Response r) {
      Instant lm = r.lastModified();
      if (lm != null) {
        lastModified = lm;
      }
      etag = r.header("ETag").orElse(etag);
    }

    void wrote(long n) {
      long now = onDisk.addAndGet(n);
      progress.downloaded(n);
      while (true) {
        long c = credited.get();
        if (now <= c) {
          break;
        }
        if (credited.compareAndSet(c, now)) {
          progress.bytes(now - c);
          break;
        }
      }
      PartialState st = state;
      if (st != null
          && st.segments.size() > 1
          && sinceSave.addAndGet(n) >= Math.max(SAVE_EVERY_MIN, st.total / SAVES_PER_FILE)) {
        sinceSave.set(0);
        saveQuietly();
      }
    }

    void saveQuietly() {
      PartialState s = state;
      if (s != null && (s.total < 0 || s.total >= RESUME_MIN)) {
        try {
          s.save(stateFile);
          stateWritten = true;
        } catch (IOException e) {
          // the next save or the final one will try again
        }
      }
    }

    void resetDigest() {
      digest = hash ? sha256() : null;
      digestPos = 0;
    }
  }

  /**
   * Removes what earlier attempts left of files the source no longer lists: nothing would resume
   * them, and on a nearly full disk they would keep the files that are listed from fitting.
   */
  void dropLeftoversExcept(Set<String> listedPaths) throws IOException {
    if (leftovers.isEmpty()) {
      return;
    }
    Set<String> keep = new java.util.HashSet<>();
    for (String path : listedPaths) {
      String key = key(path);
      keep.add(key + ".part");
      keep.add(key + ".state");
    }
    for (String name : List.copyOf(leftovers)) {
      if (!keep.contains(name)) {
        Files.deleteIfExists(partialDir.resolve(name));
        leftovers.remove(name);
        log.accept("removed partial data of a file the source no longer lists (" + name + ")");
      }
    }
  }

  private static String key(String path) {
    return HexFormat.of().formatHex(sha256().digest(path.getBytes(UTF8))).substring(0, 32);
  }

  /**
   * Downloads {@code f} to {@code target}.
   *
   * @param expected the checksum a checksum file states for it, or null
   * @throws VanishedException when the server no longer has it
   */
  Result fetch(RemoteFile f, Path target, Checksums.Expected expected) throws IOException {
    ensureDir(partialDir);
    String key = key(f.path());
    FileDownload j = new FileDownload(f, key);
    boolean left = leftovers.contains(key + ".state") || leftovers.contains(key + ".part");
    PartialState st = left ? PartialState.load(j.stateFile) : null;
    if (st != null
        && (!st.url.equals(f.uri().toString())
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
        DiskFullException.requireSpace(partialDir, f.size() - j.onDisk.get(), f.path());
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
              : hashFile(j.part, "SHA-256");
    }
    if (expected != null) {
      String actual =
          expected.algorithm().equals("SHA-256") && sha != null
              ? sha
              : hashFile(j.part, expected.algorithm());
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
      Files.setLastModifiedTime(j.part, FileTime.from(mtime));
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
            DiskFullException.requireSpace(partialDir, st.total, f.path());
          }
          j.saveQuietly();
        }
        j.state = st;
        runSegments(j);
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

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

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
      PartialState st = new PartialState(f.uri().toString(), r.validator(), total);
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
    PartialState st = new PartialState(f.uri().toString(), r.validator(), len);
    PartialState.Segment only = new PartialState.Segment(0, len, 0);
    st.segments.add(only);
    j.initial.put(only, r);
    return st;
  }

  private void vanished(HttpFetcher.Response r, RemoteFile f) throws IOException {
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

  private void runSegments(FileDownload j) throws IOException {
    List<PartialState.Segment> todo = new ArrayList<>();
    synchronized (j.state.segments) {
      for (PartialState.Segment s : j.state.segments) {
        if (!s.complete()) {
          todo.add(s);
        }
      }
    }
    if (todo.size() == 1) {
      segmentLoop(j, todo.get(0));
      return;
    }
    Map<PartialState.Segment, Future<?>> futures = new LinkedHashMap<>();
    for (PartialState.Segment s : todo) {
      futures.put(
          s,
          segmentPool.submit(
              () -> {
                try {
                  segmentLoop(j, s);
                } catch (IOException | RuntimeException e) {
                  j.failed = true;
                  throw e;
                }
                return null;
              }));
    }
    Throwable first = null;
    for (Future<?> fu : futures.values()) {
      try {
        fu.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        j.failed = true;
        if (first == null) {
          first = new CancelledException();
        }
      } catch (ExecutionException e) {
        j.failed = true;
        Throwable c = e.getCause();
        if (first == null
            || (first instanceof CancelledException && !(c instanceof CancelledException))) {
          first = c;
        }
      }
    }
    if (first != null) {
      if (first instanceof IOException io) {
        throw io;
      }
      if (first instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(first);
    }
  }

  private void segmentLoop(FileDownload j, PartialState.Segment seg) throws IOException {
    HttpFetcher.Response r = j.initial.remove(seg);
    int noProgress = 0;
    int attempts = 0;
    int limit = 4 * (retry.maxRetries() + 1) + 8;
    while (!seg.complete()) {
      if (j.stopped()) {
        if (r != null) {
          r.body().abort();
        }
        throw new CancelledException();
      }
      long before = seg.done;
      try {
        if (r == null) {
          r = open(j, seg);
        }
        stream(j, seg, r);
        r = null;
        if (seg.end < 0) {
          seg.end = seg.start + seg.done;
          j.state.total = seg.end;
        }
      } catch (VanishedException | RestartException | HttpFetcher.RefusedRedirectException e) {
        throw e;
      } catch (IOException e) {
        if (r != null) {
          r.body().abort();
          r = null;
        }
        if (!Retry.retryable(e)) {
          throw Retry.failure("download of " + j.file.path(), e);
        }
        noProgress = seg.done > before ? 0 : noProgress + 1;
        attempts++;
        if (noProgress > retry.maxRetries() || attempts > limit) {
          throw Retry.failure(
              "download of " + j.file.path() + " failed after " + attempts + " attempts", e);
        }
        java.time.Duration d = retry.delay(Math.max(1, noProgress), e);
        log.accept(
            "retrying "
                + j.file.path()
                + " at byte "
                + (seg.start + seg.done)
                + " in "
                + d.toMillis()
                + " ms: "
                + e.getMessage());
        j.saveQuietly();
        retry.pause(d);
      }
    }
  }

  private HttpFetcher.Response open(FileDownload j, PartialState.Segment seg) throws IOException {
    long from = seg.start + seg.done;
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Range", "bytes=" + from + "-" + (seg.end >= 0 ? String.valueOf(seg.end - 1) : ""));
    String validator = j.state.validator;
    if (validator != null) {
      h.put("If-Range", validator);
    }
    HttpFetcher.Response r = http.send("GET", j.file.uri(), h, false);
    vanished(r, j.file);
    if (r.status() == 206) {
      long[] cr = contentRange(r);
      if (cr == null || cr[0] != from) {
        r.body().abort();
        throw new IOException(
            "server answered range from " + from + " with " + r.header("Content-Range").orElse(""));
      }
      j.headers(r);
      return r;
    }
    if (r.status() == 200) {
      boolean single;
      synchronized (j.state.segments) {
        single = j.state.segments.size() == 1 && seg.start == 0;
      }
      if (!single) {
        r.body().abort();
        throw new RestartException("the server sent the whole file instead of a range");
      }
      log.accept(
          "restarting "
              + j.file.path()
              + " from byte 0: the server sent the whole file (file changed or ranges unsupported)");
      j.headers(r);
      j.channel.truncate(0);
      j.onDisk.set(0);
      seg.done = 0;
      long len = r.contentLength();
      seg.end = len;
      j.state.total = len;
      j.state.validator = r.validator();
      j.resetDigest();
      return r;
    }
    HttpFetcher.expect(r, Clock.systemUTC(), 200, 206);
    return r;
  }

  private void stream(FileDownload j, PartialState.Segment seg, HttpFetcher.Response r)
      throws IOException {
    long announced = r.contentLength();
    long got = 0;
    long pos = seg.start + seg.done;
    boolean overflow = false;
    progress.current(j.file.path());
    byte[] buf = WRITE_BUFFERS.get();
    ByteBuffer bb = ByteBuffer.wrap(buf);
    int gathered = 0;
    long lastWrite = System.nanoTime();
    while (!overflow) {
      int n;
      try {
        n = r.body().read(buf, gathered, buf.length - gathered, j::stopped);
      } catch (IOException e) {
        // what arrived before the fault is good: keep it for the resume
        pos = write(j, seg, bb, gathered, pos);
        throw e;
      }
      if (n < 0) {
        break;
      }
      long at = pos + gathered;
      if (seg.end >= 0 && at + n > seg.end) {
        n = (int) Math.max(0, seg.end - at);
        overflow = true;
      }
      if (n > 0) {
        throttle.acquire(n, j::stopped);
        if (j.digest != null) {
          if (j.digestPos == at) {
            j.digest.update(buf, gathered, n);
            j.digestPos += n;
          } else {
            j.digest = null;
          }
        }
        gathered += n;
        got += n;
      }
      long now = System.nanoTime();
      if (gathered == buf.length || now - lastWrite >= WRITE_DELAY_NANOS) {
        pos = write(j, seg, bb, gathered, pos);
        gathered = 0;
        lastWrite = now;
      }
    }
    pos = write(j, seg, bb, gathered, pos);
    if (overflow) {
      r.body().abort();
    }
    if (!overflow && announced >= 0 && got < announced) {
      throw new IOException(
          "connection closed after "
              + got
              + " of "
              + announced
              + " announced bytes of "
              + j.file.path());
    }
    if (seg.end >= 0 && !seg.complete()) {
      throw new IOException(
          "body of " + j.file.path() + " ended at byte " + pos + " before " + seg.end);
    }
  }

  /** Writes the first {@code n} bytes of {@code bb}'s array at {@code pos}; returns the new end. */
  private static long write(
      FileDownload j, PartialState.Segment seg, ByteBuffer bb, int n, long pos) throws IOException {
    if (n == 0) {
      return pos;
    }
    bb.clear().limit(n);
    while (bb.hasRemaining()) {
      pos += j.channel.write(bb, pos);
    }
    seg.done += n;
    j.wrote(n);
    return pos;
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String hashFile(Path file, String algorithm) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
