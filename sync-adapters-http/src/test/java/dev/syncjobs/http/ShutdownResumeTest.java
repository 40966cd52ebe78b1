package dev.syncjobs.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.SyncRuntime;
import dev.syncjobs.core.memory.InMemoryJobRepository;
import dev.syncjobs.core.memory.InMemoryRunLog;
import dev.syncjobs.core.memory.InMemoryRunRepository;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.model.Trigger;
import dev.syncjobs.core.run.RunWorker;
import dev.syncjobs.core.version.StorageBackends;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A large file from a loopback HTTP server, its run stopped by closing the runtime (a graceful
 * shutdown) and finished by the resume run of a second runtime over the same repositories and
 * backend: the resume asks the server for the missing ranges only.
 */
class ShutdownResumeTest {
  static final Instant T = Instant.parse("2026-10-01T12:00:00Z");

  @TempDir Path tmp;

  private final InMemoryRunRepository runs = new InMemoryRunRepository();
  private final InMemoryJobRepository jobs = new InMemoryJobRepository(runs);
  private final InMemoryRunLog runLog = new InMemoryRunLog();

  private SyncRuntime runtime() {
    StorageBackend backend = new StorageBackend("default", tmp.resolve("storage"));
    StorageBackends.initialiseOwnRoot(backend);
    return SyncRuntime.builder()
        .repositories(jobs, runs)
        .runLog(runLog)
        .backend(backend)
        .transfer(new HttpTransfer(Fixture.fastSettings().withSegments(1 << 20, 4)))
        .workerSettings(
            new RunWorker.Settings(
                "node", 1, Duration.ofSeconds(30), Duration.ofMillis(10), Duration.ofSeconds(30)))
        .build();
  }

  @Test
  void a_download_stopped_by_shutdown_is_resumed_by_the_next_start_fetching_only_the_rest()
      throws Exception {
    int size = 16 << 20;
    byte[] big = Fixture.randomBytes(size, 31);
    try (TestServer s = TestServer.start()) {
      s.file("/big/large.iso", big, T).slow(1 << 20);
      Job job;
      Run interrupted;
      try (SyncRuntime first = runtime()) {
        job =
            first
                .jobs()
                .create(
                    Job.builder(
                            first.jobs().newId(),
                            "iso",
                            Source.parse(s.uri("/big/").toString()),
                            new Destination("default", "iso"))
                        .build());
        interrupted = first.jobs().runNow(job.id());
        first.start();
        CancelAndResumeTest.await(
            () -> s.bytesServed("/big/large.iso") > size / 4, 30, "a quarter of the file");
      }
      long servedBeforeStop = s.bytesServed("/big/large.iso");
      Run stopped = runs.find(interrupted.id()).orElseThrow();
      assertThat(stopped.status()).isEqualTo(RunStatus.CANCELLED);
      assertThat(stopped.error()).isEqualTo("interrupted by shutdown");
      Run resume = runs.findActive(job.id()).orElseThrow();
      assertThat(resume.trigger()).isEqualTo(Trigger.RESUME);

      s.slow(0);
      s.resetCounters();
      try (SyncRuntime second = runtime()) {
        second.start();
        assertThat(second.awaitIdle(Duration.ofSeconds(60))).isTrue();
      }

      Run resumed = runs.find(resume.id()).orElseThrow();
      assertThat(resumed.status()).as(resumed.error()).isEqualTo(RunStatus.SUCCESS);
      Path file = tmp.resolve("storage/iso").resolve(resumed.version()).resolve("large.iso");
      assertThat(Fixture.sha256(file)).isEqualTo(Fixture.sha256(big));
      assertThat(runLog.read(resume.id())).contains("resuming large.iso");
      long servedToResume = s.bytesServed("/big/large.iso");
      System.err.println(
          "ShutdownResumeTest: served "
              + servedBeforeStop
              + " bytes before the stop, "
              + servedToResume
              + " to the resume, of "
              + size);
      assertThat(servedToResume).isLessThan(size - servedBeforeStop / 2);
    }
  }
}
