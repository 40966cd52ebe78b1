package dev.syncjobs.core.model;

/**
 * A transfer's progress: counts and totals are monotonic within a run; totals may be 0 while
 * unknown.
 */
public record Progress(
    long filesDone,
    long filesTotal,
    long bytesDone,
    long bytesTotal,
    String currentFile,
    long bytesPerSecond) {

  public static final Progress NONE = new Progress(0, 0, 0, 0, null, 0);

  public Progress {
    if (filesDone < 0 || filesTotal < 0 || bytesDone < 0 || bytesTotal < 0 || bytesPerSecond < 0) {
      throw new IllegalArgumentException("progress counts must not be negative");
    }
  }

  /** 0..100, by bytes when the byte total is known, else by files. */
  public double percent() {
    if (bytesTotal > 0) {
      return Math.min(100.0, 100.0 * bytesDone / bytesTotal);
    }
    if (filesTotal > 0) {
      return Math.min(100.0, 100.0 * filesDone / filesTotal);
    }
    return 0.0;
  }

  /** Seconds left at the current rate, or -1 when unknown. */
  public long etaSeconds() {
    if (bytesPerSecond <= 0 || bytesTotal <= 0) {
      return -1;
    }
    return Math.max(0, (bytesTotal - bytesDone) / bytesPerSecond);
  }

  /** The same progress, complete: done counts raised to the totals. */
  public Progress completed() {
    long files = Math.max(filesDone, filesTotal);
    long bytes = Math.max(bytesDone, bytesTotal);
    return new Progress(files, files, bytes, bytes, null, bytesPerSecond);
  }
}
