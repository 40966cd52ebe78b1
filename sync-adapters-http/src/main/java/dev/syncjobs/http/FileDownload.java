package dev.syncjobs.http;

import dev.syncjobs.core.progress.ProgressCounter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/** One file's download in progress. */
final class FileDownload {
  /**
   * A segmented download's state is saved after every 1/{@value #SAVES_PER_FILE} of the file, and
   * after at least {@link #SAVE_EVERY_MIN} bytes: a crash loses at most that much of each file.
   */
  private static final long SAVES_PER_FILE = 128;

  private static final long SAVE_EVERY_MIN = 512L << 10;

  /** Smaller files are not worth a state file: an interrupted one starts again. */
  private static final long RESUME_MIN = 4L << 20;

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

  private final BooleanSupplier stopped;
  final ProgressCounter progress;
  private final boolean hash;

  FileDownload(
      RemoteFile file,
      String key,
      Path partialDir,
      BooleanSupplier stopped,
      ProgressCounter progress,
      boolean hash) {
    this.file = file;
    this.stopped = stopped;
    this.progress = progress;
    this.hash = hash;
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
    progress.transferred(n);
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
    digest = hash ? Digests.sha256() : null;
    digestPos = 0;
  }
}
