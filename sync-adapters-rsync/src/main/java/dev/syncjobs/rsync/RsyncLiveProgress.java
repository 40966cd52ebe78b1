package dev.syncjobs.rsync;

import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.port.ProgressListener;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The progress of a running rsync, published on every tick (twice a second) when it changed: what
 * the parser read of rsync's lines, with the file rsync is writing at that moment (or the last one
 * seen, between files).
 *
 * <p>When rsync prints progress only when asked ({@link RsyncProgressRequest}), each tick asks for
 * the next line, adds the bytes written of the file in flight (no line tells them while a large
 * file is received) and measures the rate here, over the last five seconds; the figures published
 * never go backwards. Otherwise rsync's {@code --info=progress2} lines carry all of it.
 */
final class RsyncLiveProgress {
  private static final long RATE_WINDOW_NANOS = 5_000_000_000L;

  private final RsyncProgressParser parser; // guarded by itself
  private final AtomicBoolean changed;
  private final RsyncCurrentFile files;
  private final RsyncProgressRequest requests;
  private final RsyncFileSize sizes;
  private final ProgressListener listener;
  private final Consumer<String> log;
  private final LongSupplier clock;
  private final ArrayDeque<long[]> samples = new ArrayDeque<>(); // {nanos, bytes done}
  private String lastFile;
  private String inFlightBefore; // the file in flight at the tick before
  private long totalAtLeast; // from the size of a first file in flight, before any line
  private Progress published;

  /**
   * @param changed set when the parser took a line that changed its progress
   * @param files where the file in flight is seen, or null without {@code /proc}
   * @param requests how rsync is asked for lines, or null when it prints them itself
   * @param sizes where the size of a first file in flight is asked, or null
   */
  RsyncLiveProgress(
      RsyncProgressParser parser,
      AtomicBoolean changed,
      RsyncCurrentFile files,
      RsyncProgressRequest requests,
      RsyncFileSize sizes,
      ProgressListener listener,
      Consumer<String> log,
      LongSupplier clock) {
    this.parser = parser;
    this.changed = changed;
    this.files = files;
    this.requests = files == null ? null : requests;
    this.sizes = sizes;
    this.listener = listener;
    this.log = log;
    this.clock = clock;
  }

  /** One tick: publishes the progress if it changed since the last one. */
  void tick() {
    Progress p;
    boolean fromLines;
    synchronized (parser) {
      fromLines = changed.getAndSet(false);
      p = parser.progress();
    }
    if (requests == null && !fromLines) {
      return;
    }
    RsyncCurrentFile.InFlight inFlight = files == null ? null : files.find();
    if (inFlight != null) {
      lastFile = inFlight.name();
    }
    if (requests != null) {
      if (files.receiver() > 0) {
        requests.ask(files.receiver());
      }
      p = withBytesInFlight(p, inFlight);
    }
    p =
        new Progress(
            p.filesDone(),
            p.filesTotal(),
            p.bytesDone(),
            p.bytesTotal(),
            lastFile,
            p.bytesPerSecond());
    if (p.equals(published)) {
      return;
    }
    published = p;
    try {
      listener.onProgress(p);
    } catch (RuntimeException e) {
      // A failing listener must not stop the updates that follow (nor the transfer).
      log.accept("progress listener failed: " + e);
    }
  }

  /**
   * The line's bytes (the files finished when rsync last answered) plus those of the file in
   * flight, never fewer than published before; a byte total (0 while unknown) at least that; the
   * rate over the last few seconds.
   *
   * <p>Before rsync's first line there is no total. When the same file is still in flight a tick
   * later, its size is asked of the source ({@link RsyncFileSize}): the bytes finished plus that
   * size are a total the truth is at least.
   */
  private Progress withBytesInFlight(Progress p, RsyncCurrentFile.InFlight inFlight) {
    String name = inFlight == null ? null : inFlight.name();
    if (sizes != null && p.bytesTotal() == 0 && name != null) {
      if (name.equals(inFlightBefore)) {
        sizes.lookUp(name);
      }
      long size = sizes.sizeOf(name);
      if (size >= 0) {
        totalAtLeast = Math.max(totalAtLeast, p.bytesDone() + size);
      }
    }
    inFlightBefore = name;
    long before = published == null ? 0 : published.bytesDone();
    long bytes = Math.max(before, p.bytesDone() + (inFlight == null ? 0 : inFlight.bytes()));
    long total = Math.max(p.bytesTotal(), totalAtLeast);
    if (total > 0) {
      total = Math.max(total, bytes);
    }
    long now = clock.getAsLong();
    samples.addLast(new long[] {now, bytes});
    while (samples.size() > 2 && now - samples.peekFirst()[0] > RATE_WINDOW_NANOS) {
      samples.removeFirst();
    }
    long[] oldest = samples.peekFirst();
    long rate =
        now > oldest[0] ? (long) ((bytes - oldest[1]) * 1_000_000_000.0 / (now - oldest[0])) : 0;
    return new Progress(p.filesDone(), p.filesTotal(), bytes, total, null, Math.max(0, rate));
  }
}
