package dev.syncjobs.http;

import dev.syncjobs.core.model.CancelledException;
import dev.syncjobs.core.throttle.Throttle;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Fetches a file's segments (Range requests, in parallel on the segment pool when there are
 * several), retrying each from where it stopped, writing the bytes at their place in the part file
 * in batches of 32 KiB and taking them from the run's throttle.
 */
final class SegmentFetcher {
  /**
   * Received bytes are gathered in 32 KiB per stream before they are written: one write per 32 KiB
   * instead of one per socket read. Not more: the JDK copies the bytes into a native buffer of the
   * same size, and the kernel copies them from there into the page cache. Those copies run at cache
   * speed only while both buffers stay in the CPU's cache: from a megabyte buffer, the kernel's
   * copy took most of a large file's CPU. One buffer per download thread, reused by its files.
   */
  private static final ThreadLocal<byte[]> WRITE_BUFFERS =
      ThreadLocal.withInitial(() -> new byte[32 << 10]);

  /** Gathered bytes are written at the latest this long after the previous write. */
  private static final long WRITE_DELAY_NANOS = 100_000_000L;

  private final HttpFetcher http;
  private final Retry retry;
  private final Throttle throttle;
  private final Consumer<String> log;
  private final ExecutorService segmentPool;

  SegmentFetcher(
      HttpFetcher http,
      Retry retry,
      Throttle throttle,
      Consumer<String> log,
      ExecutorService segmentPool) {
    this.http = http;
    this.retry = retry;
    this.throttle = throttle;
    this.log = log;
    this.segmentPool = segmentPool;
  }

  void run(FileDownload j) throws IOException {
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
      } catch (Downloader.VanishedException
          | RestartException
          | HttpFetcher.RefusedRedirectException e) {
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
    Downloader.vanished(r, j.file);
    if (r.status() == 206) {
      long[] cr = Downloader.contentRange(r);
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
    j.progress.current(j.file.path());
    byte[] buf = WRITE_BUFFERS.get();
    ByteBuffer bb = ByteBuffer.wrap(buf);
    int gathered = 0;
    long lastWrite = System.nanoTime();
    while (!overflow) {
      int n;
      try {
        n = r.body().read(buf, gathered, throttle.maxRead(buf.length - gathered), j::stopped);
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
    // Positional writes need no lock of ours: the file system orders the segments' writes to one
    // file itself, and a batch is copied quickly enough that the others wait for it spinning,
    // ready to go on, rather than asleep with their sockets unread.
    while (bb.hasRemaining()) {
      pos += j.channel.write(bb, pos);
    }
    seg.done += n;
    j.wrote(n);
    return pos;
  }
}
