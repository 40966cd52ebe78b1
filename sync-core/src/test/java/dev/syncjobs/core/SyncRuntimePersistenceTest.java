package dev.syncjobs.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.memory.InMemoryJobRepository;
import dev.syncjobs.core.memory.InMemoryRunLog;
import dev.syncjobs.core.memory.InMemoryRunRepository;
import dev.syncjobs.core.memory.InMemorySettingsRepository;
import dev.syncjobs.core.memory.InMemoryUploadRepository;
import dev.syncjobs.core.memory.SettableClock;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobOptions;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.port.JobRepository;
import dev.syncjobs.core.port.Persistence;
import dev.syncjobs.core.port.RunLog;
import dev.syncjobs.core.port.RunRepository;
import dev.syncjobs.core.port.SettingsRepository;
import dev.syncjobs.core.port.UploadRepository;
import dev.syncjobs.core.testing.Await;
import dev.syncjobs.core.version.StorageBackends;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyncRuntimePersistenceTest {
  @TempDir Path tmp;

  /** In-memory ports that note, when closed, what state the runs were in at that moment. */
  static final class RecordingPersistence implements Persistence {
    private final dev.syncjobs.core.port.AuditLog audit =
        new dev.syncjobs.core.memory.InMemoryAuditLog();
    final InMemoryRunRepository runs = new InMemoryRunRepository();
    final InMemoryJobRepository jobs = new InMemoryJobRepository(runs);
    final InMemoryRunLog runLog = new InMemoryRunLog();
    final InMemorySettingsRepository settings = new InMemorySettingsRepository();
    final InMemoryUploadRepository uploads = new InMemoryUploadRepository();
    final Clock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
    final List<RunStatus> statusesAtClose = new ArrayList<>();
    int closed;
    Job job;

    @Override
    public dev.syncjobs.core.port.AuditLog audit() {
      return audit;
    }

    @Override
    public JobRepository jobs() {
      return jobs;
    }

    @Override
    public RunRepository runs() {
      return runs;
    }

    @Override
    public RunLog runLog() {
      return runLog;
    }

    @Override
    public SettingsRepository settings() {
      return settings;
    }

    @Override
    public UploadRepository uploads() {
      return uploads;
    }

    @Override
    public Clock clock() {
      return clock;
    }

    @Override
    public void close() {
      closed++;
      if (job != null) {
        runs.history(job.id(), 10, 0).forEach(r -> statusesAtClose.add(r.status()));
      }
    }
  }

  @Test
  void persistence_wires_every_durable_port_and_its_clock() throws Exception {
    StorageBackend backend = new StorageBackend("default", tmp.resolve("storage"));
    StorageBackends.initialiseOwnRoot(backend);
    RecordingPersistence p = new RecordingPersistence();
    try (SyncRuntime sync = SyncRuntime.builder().persistence(p).backend(backend).build()) {
      Job job =
          sync.jobs()
              .create(
                  Job.builder(
                          sync.jobs().newId(),
                          "docs",
                          Source.parse(
                              Files.createDirectories(tmp.resolve("src")).toUri().toString()),
                          new Destination("default", "docs"))
                      .build());
      assertThat(job.createdAt()).isEqualTo(p.clock.instant());
      assertThat(sync.jobRepository()).isSameAs(p.jobs);
      assertThat(sync.runRepository()).isSameAs(p.runs);
      assertThat(sync.runLog()).isSameAs(p.runLog);
      assertThat(sync.settings()).isSameAs(p.settings);
      assertThat(sync.scheduler()).isNotNull();
    }
    assertThat(p.closed).isEqualTo(1);
  }

  @Test
  void the_runtime_closes_its_persistence_after_the_runs_in_progress_recorded_their_state()
      throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    for (int i = 0; i < 20; i++) {
      Files.write(src.resolve("f" + i + ".bin"), new byte[50_000]);
    }
    StorageBackend backend = new StorageBackend("default", tmp.resolve("storage"));
    StorageBackends.initialiseOwnRoot(backend);
    RecordingPersistence p = new RecordingPersistence();
    SyncRuntime sync =
        SyncRuntime.builder()
            .persistence(p)
            .clock(Clock.systemUTC())
            .backend(backend)
            .schedulerPollInterval(Duration.ofMillis(20))
            .build();
    JobOptions d = JobOptions.DEFAULTS;
    p.job =
        sync.jobs()
            .create(
                Job.builder(
                        sync.jobs().newId(),
                        "slow",
                        Source.parse(src.toUri().toString()),
                        new Destination("default", "slow"))
                    .options(
                        new JobOptions(
                            d.verifyChecksums(),
                            d.compareChecksums(),
                            d.deleteRemoved(),
                            d.maxDeletePercent(),
                            d.keepVersions(),
                            100_000L,
                            0))
                    .build());
    java.util.concurrent.atomic.AtomicLong copied = new java.util.concurrent.atomic.AtomicLong();
    sync.progress().subscribe(e -> copied.accumulateAndGet(e.progress().bytesDone(), Math::max));
    sync.jobs().runNow(p.job.id());
    sync.start();
    Await.until("the run to copy some bytes", Duration.ofSeconds(30), () -> copied.get() > 0);

    sync.close();

    assertThat(p.closed).isEqualTo(1);
    assertThat(p.statusesAtClose).contains(RunStatus.CANCELLED).doesNotContain(RunStatus.RUNNING);
  }
}
