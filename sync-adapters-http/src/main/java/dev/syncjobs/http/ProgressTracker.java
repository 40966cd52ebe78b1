package dev.syncjobs.http;

import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.port.ProgressListener;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts a run's progress from many threads and reports it at most twice a second. Counts only
 * grow: bytes fetched again after a restart are not counted twice.
 */
final class ProgressTracker {
  private static final long INTERVAL_NANOS = 500_000_000L;

  private final ProgressListener listener;
  private final long started = System.nanoTime();
  private final AtomicLong filesDone = new AtomicLong();
  private final AtomicLong bytesDone = new AtomicLong();
  private final AtomicLong downloaded = new AtomicLong();
  private volatile long filesTotal;
  private volatile long bytesTotal;
  private volatile String current;
  private volatile long lastReport;

  ProgressTracker(ProgressListener listener) {
    this.listener = listener;
  }

  void totals(long files, long bytes) {
    filesTotal = files;
    bytesTotal = bytes;
    report(true);
  }

  void current(String file) {
    current = file;
  }

  /** Bytes newly on disk (credited by the caller at most once per byte). */
  void bytes(long n) {
    bytesDone.addAndGet(n);
    report(false);
  }

  /** Bytes that actually crossed the network. */
  void downloaded(long n) {
    downloaded.addAndGet(n);
  }

  long downloaded() {
    return downloaded.get();
  }

  void fileDone() {
    filesDone.incrementAndGet();
    report(false);
  }

  void report(boolean force) {
    long now = System.nanoTime();
    long last = lastReport;
    if (!force && now - last < INTERVAL_NANOS) {
      return;
    }
    synchronized (this) {
      if (!force && now - lastReport < INTERVAL_NANOS) {
        return;
      }
      lastReport = now;
      double secs = Math.max(0.001, (now - started) / 1e9);
      long rate = (long) (downloaded.get() / secs);
      long total = Math.max(bytesTotal, 0);
      long done = Math.min(bytesDone.get(), total > 0 ? total : Long.MAX_VALUE);
      listener.onProgress(
          new Progress(
              Math.min(filesDone.get(), filesTotal), filesTotal, done, total, current, rate));
    }
  }
}
