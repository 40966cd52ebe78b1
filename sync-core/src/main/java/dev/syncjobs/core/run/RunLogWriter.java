package dev.syncjobs.core.run;

import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.port.RunLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes runs' log lines in batches on one writer thread (in order, without holding up the runs):
 * each run's {@link Buffer} hands its lines over when a second has passed since its last batch (on
 * the next line or the next progress report, so a log tailed while the run goes on is at most about
 * a second behind) and when the run ends, and the writer stores every batch waiting in one call. A
 * crash loses at most the last second of a run's lines; a failed write is logged, never a failed
 * run.
 */
final class RunLogWriter {
  private static final Logger log = LoggerFactory.getLogger(RunLogWriter.class);

  private final RunLog runLog;
  private final ExecutorService writer =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "syncjobs-run-log-writer");
            t.setDaemon(true);
            return t;
          });
  private final AtomicInteger pending = new AtomicInteger();

  /** Log batches waiting for the writer, oldest first. */
  private final Queue<Batch> queued = new ConcurrentLinkedQueue<>();

  private record Batch(RunId run, List<String> lines, CompletableFuture<Void> written) {}

  private final LongSupplier nanoTime;

  RunLogWriter(RunLog runLog) {
    this(runLog, System::nanoTime);
  }

  RunLogWriter(RunLog runLog, LongSupplier nanoTime) {
    this.runLog = runLog;
    this.nanoTime = nanoTime;
  }

  /** A buffer for one run's lines. */
  Buffer buffer(RunId run) {
    return new Buffer(run);
  }

  /** Whether every batch handed over has been written. */
  boolean idle() {
    return pending.get() == 0;
  }

  /** Writes what is queued (up to {@code timeout}) and stops the writer thread. */
  void close(Duration timeout) throws InterruptedException {
    writer.shutdown();
    writer.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One run's lines not yet handed to the writer. */
  final class Buffer {
    private final RunId run;
    private final List<String> lines = new ArrayList<>();
    private long lastFlush = nanoTime.getAsLong();
    private CompletableFuture<Void> lastWritten = CompletableFuture.completedFuture(null);

    private Buffer(RunId run) {
      this.run = run;
    }

    synchronized void add(String line) {
      lines.add(line);
      flushIfDue();
    }

    /** Hands the lines over if a second has passed since the last batch. */
    synchronized void flushIfDue() {
      if (!lines.isEmpty() && nanoTime.getAsLong() - lastFlush > 1_000_000_000L) {
        flush();
      }
    }

    synchronized void flush() {
      lastFlush = nanoTime.getAsLong();
      if (lines.isEmpty()) {
        return;
      }
      Batch batch = new Batch(run, List.copyOf(lines), new CompletableFuture<>());
      lines.clear();
      lastWritten = batch.written();
      pending.incrementAndGet();
      queued.add(batch);
      try {
        writer.execute(RunLogWriter.this::writeQueued);
      } catch (RejectedExecutionException e) {
        writeQueued();
      }
    }

    /**
     * Waits up to {@code timeout} until every line handed over so far is stored (or its write
     * failed and was logged), so a run is recorded ended only with its log readable.
     */
    void awaitWritten(Duration timeout) {
      CompletableFuture<Void> last;
      synchronized (this) {
        last = lastWritten;
      }
      try {
        last.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        log.warn("the log of run {} was not stored in time: {}", run, e.toString());
      }
    }
  }

  /**
   * Writes every queued batch in one call (the run log may store them in one transaction), each
   * run's lines in the order they were logged.
   */
  private void writeQueued() {
    synchronized (queued) {
      Map<RunId, List<String>> byRun = new LinkedHashMap<>();
      List<Batch> taken = new ArrayList<>();
      for (Batch b; (b = queued.poll()) != null; ) {
        taken.add(b);
        byRun.computeIfAbsent(b.run(), k -> new ArrayList<>()).addAll(b.lines());
      }
      if (taken.isEmpty()) {
        return;
      }
      try {
        runLog.appendAll(byRun);
      } catch (RuntimeException e) {
        log.warn("could not record the run log: {}", e.toString());
      } finally {
        pending.addAndGet(-taken.size());
        taken.forEach(b -> b.written().complete(null));
      }
    }
  }
}
