package dev.syncjobs.core.testing;

import dev.syncjobs.core.SyncRuntime;
import dev.syncjobs.core.memory.SettableClock;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobOptions;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.port.Transfer;
import dev.syncjobs.core.port.TransferReport;
import dev.syncjobs.core.port.TransferRequest;
import dev.syncjobs.core.run.RunWorker;
import dev.syncjobs.core.version.StorageBackends;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * A runtime over in-memory ports, a settable clock and a temporary backend, for engine tests (and
 * for adapter modules through sync-core's test-jar).
 */
public final class EngineFixture implements AutoCloseable {
  public final Path root;
  public final Path storage;
  public final SettableClock clock = new SettableClock(Instant.parse("2026-11-23T03:00:00Z"));
  public final SyncRuntime runtime;

  public EngineFixture(Path root, List<Transfer> transfers, RunWorker.Settings settings)
      throws IOException {
    this.root = root;
    this.storage = root.resolve("storage");
    StorageBackend backend = new StorageBackend("default", storage);
    StorageBackends.initialiseOwnRoot(backend);
    SyncRuntime.Builder b =
        SyncRuntime.builder()
            .backend(backend)
            .clock(clock)
            .workerSettings(settings)
            .schedulerPollInterval(Duration.ofMillis(20));
    transfers.forEach(b::transfer);
    this.runtime = b.build();
  }

  public EngineFixture(Path root) throws IOException {
    this(
        root,
        List.of(),
        new RunWorker.Settings(
            "test", 3, Duration.ofSeconds(30), Duration.ofMillis(20), Duration.ofSeconds(30)));
  }

  /** Creates a job mirroring {@code source} into {@code destination} with the given options. */
  public Job job(String name, Source source, String destination, JobOptions options) {
    return runtime
        .jobs()
        .create(
            Job.builder(
                    runtime.jobs().newId(), name, source, new Destination("default", destination))
                .options(options)
                .build());
  }

  public Job localJob(String name, Path source, String destination, JobOptions options) {
    return job(name, Source.parse(source.toUri().toString()), destination, options);
  }

  /** Runs the job now and waits until it has ended; the clock moves a second first. */
  public Run runAndWait(Job job) throws InterruptedException {
    clock.advance(Duration.ofSeconds(1));
    Run run = runtime.jobs().runNow(job.id());
    if (!runtime.awaitIdle(Duration.ofSeconds(60))) {
      throw new AssertionError("run did not finish in time");
    }
    return find(job, run.id());
  }

  public Run find(Job job, RunId id) {
    return runtime.jobs().run(job.id(), id);
  }

  public Path destination(String path) {
    return storage.resolve(path);
  }

  /** A transfer for every source that does what {@code body} does. */
  public static Transfer anySource(Function<TransferRequest, TransferReport> body) {
    return new Transfer() {
      @Override
      public boolean supports(Source s) {
        return true;
      }

      @Override
      public TransferReport transfer(TransferRequest request) {
        return body.apply(request);
      }
    };
  }

  public static void write(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }

  @Override
  public void close() {
    runtime.close();
  }
}
