package dev.syncjobs.core.progress;

import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.port.ProgressListener;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts one transfer's progress (files and bytes done against the totals, the rate of bytes that
 * were transferred) and reports it to the transfer's listener, at most once per interval unless
 * forced. Every transfer counts with it, from one thread or from many. Counts only grow and are
 * capped at the totals once they are known; bytes linked or found in place count as done but not
 * towards the rate.
 */
public final class ProgressCounter {
  private final ProgressListener listener;
  private final long intervalNanos;
  private final long started = System.nanoTime();
  private final AtomicLong filesDone = new AtomicLong();
  private final AtomicLong bytesDone = new AtomicLong();
  private final AtomicLong transferred = new AtomicLong();
  private volatile long filesTotal;
  private volatile long bytesTotal;
  private volatile String current;
  private volatile long lastReport;

  /**
   * @param interval the least time between two reports that are not forced; zero reports every
   *     change (for a transfer whose listener throttles itself)
   */
  public ProgressCounter(ProgressListener listener, Duration interval) {
    this.listener = listener;
    this.intervalNanos = interval.toNanos();
  }

  /** Sets the totals once the source is listed, and reports. */
  public void totals(long files, long bytes) {
    filesTotal = files;
    bytesTotal = bytes;
    report(true);
  }

  /** The file being worked on, shown with the next report. */
  public void current(String file) {
    current = file;
  }

  /** Bytes newly in place without being transferred (linked, reused, resumed). */
  public void bytes(long n) {
    bytesDone.addAndGet(n);
    report(false);
  }

  /** Bytes that crossed the network or were read from the source, not yet in place. */
  public void transferred(long n) {
    transferred.addAndGet(n);
  }

  /** Bytes transferred and in place at once (a plain copy). */
  public void copied(long n) {
    transferred.addAndGet(n);
    bytes(n);
  }

  /** Bytes transferred so far. */
  public long transferred() {
    return transferred.get();
  }

  /** One more file is complete. */
  public void fileDone() {
    filesDone.incrementAndGet();
    report(false);
  }

  /** One more file is complete, {@code bytesInPlace} of it found in place rather than copied. */
  public void fileDone(long bytesInPlace) {
    bytesDone.addAndGet(bytesInPlace);
    fileDone();
  }

  /** Reports now if the interval passed since the last report, or at once when forced. */
  public void report(boolean force) {
    long now = System.nanoTime();
    if (!force && now - lastReport < intervalNanos) {
      return;
    }
    synchronized (this) {
      if (!force && now - lastReport < intervalNanos) {
        return;
      }
      lastReport = now;
      double secs = Math.max(0.001, (now - started) / 1e9);
      long rate = (long) (transferred.get() / secs);
      long total = Math.max(bytesTotal, 0);
      long done = Math.min(bytesDone.get(), total > 0 ? total : Long.MAX_VALUE);
      listener.onProgress(
          new Progress(
              Math.min(filesDone.get(), filesTotal), filesTotal, done, total, current, rate));
    }
  }
}
