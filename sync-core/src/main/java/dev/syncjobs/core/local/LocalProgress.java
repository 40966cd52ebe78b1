package dev.syncjobs.core.local;

import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.port.TransferRequest;

/** Counts progress and reports it; totals are known up front, so percent only grows. */
final class LocalProgress {
  private final long filesTotal;
  private final long bytesTotal;
  private final TransferRequest request;
  private final long started = System.nanoTime();
  private long files;
  private long bytes;
  private long copied;

  LocalProgress(long filesTotal, long bytesTotal, TransferRequest request) {
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
