package dev.syncjobs.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.syncjobs.core.SyncRuntime;
import dev.syncjobs.core.model.Destination;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.SourceRefusedException;
import dev.syncjobs.core.model.StorageBackend;
import dev.syncjobs.core.model.ValidationException;
import dev.syncjobs.core.port.SourcePolicy;
import dev.syncjobs.core.port.TransferReport;
import dev.syncjobs.core.port.TransferRequest;
import dev.syncjobs.core.testing.EngineFixture;
import dev.syncjobs.core.version.StorageBackends;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourcePolicyTest {
  @TempDir Path tmp;
  Path storage;
  final List<Source> saved = new CopyOnWriteArrayList<>();
  final List<TransferRequest> transfers = new CopyOnWriteArrayList<>();
  final AtomicBoolean refuseRuns = new AtomicBoolean();
  SyncRuntime runtime;

  /** Refuses "forbidden" paths when saved, anything when told to at run time; pins /in to /real. */
  final SourcePolicy policy =
      new SourcePolicy() {
        @Override
        public void checkSaved(Source source) {
          saved.add(source);
          if (source.uri().getPath().contains("forbidden")) {
            throw new ValidationException("source_url", "not allowed here");
          }
        }

        @Override
        public Source admit(Source source) {
          if (refuseRuns.get()) {
            throw new SourceRefusedException("outside the allowed roots now");
          }
          return Source.parse(source.uri().toString().replace("/in", "/real"));
        }
      };

  @BeforeEach
  void setUp() throws IOException {
    storage = tmp.resolve("storage");
    StorageBackend backend = new StorageBackend("default", storage);
    StorageBackends.initialiseOwnRoot(backend);
    runtime =
        SyncRuntime.builder()
            .backend(backend)
            .sourcePolicy(policy)
            .transfer(
                EngineFixture.anySource(
                    r -> {
                      transfers.add(r);
                      return new TransferReport(0, 0, 0, 0, List.of());
                    }))
            .build();
  }

  @AfterEach
  void tearDown() {
    runtime.close();
  }

  private Job create(String name, String url) {
    return runtime
        .jobs()
        .create(
            Job.builder(
                    runtime.jobs().newId(),
                    name,
                    Source.parse(url),
                    new Destination("default", name))
                .build());
  }

  private static Job copy(Job job, Source source, boolean enabled) {
    return Job.builder(job.id(), job.name(), source, job.destination()).enabled(enabled).build();
  }

  private dev.syncjobs.core.model.Run runNow(Job job) throws InterruptedException {
    var run = runtime.jobs().runNow(job.id());
    runtime.worker().start();
    assertThat(runtime.awaitIdle(Duration.ofSeconds(30))).isTrue();
    return runtime.jobs().run(job.id(), run.id());
  }

  @Test
  void a_new_source_is_checked_when_the_job_is_saved() {
    assertThatThrownBy(() -> create("one", "file:///srv/forbidden"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("source_url");
    assertThat(runtime.jobs().list()).isEmpty();
  }

  @Test
  void an_update_checks_the_source_only_when_it_changes() {
    Job job = create("one", "file:///srv/in/a");
    saved.clear();
    runtime.jobs().update(copy(job, job.source(), false));
    assertThat(saved).isEmpty();
    Job moved = copy(job, Source.parse("file:///srv/forbidden"), true);
    assertThatThrownBy(() -> runtime.jobs().update(moved)).isInstanceOf(ValidationException.class);
    assertThat(saved).extracting(s -> s.uri().getPath()).containsExactly("/srv/forbidden");
  }

  @Test
  void the_transfer_reads_the_source_the_policy_admits() throws Exception {
    Job job = create("one", "file:///srv/in/a");
    var run = runNow(job);
    assertThat(run.status()).isEqualTo(RunStatus.SUCCESS);
    assertThat(transfers).hasSize(1);
    assertThat(transfers.get(0).source().uri().getPath()).isEqualTo("/srv/real/a");
  }

  @Test
  void a_run_the_policy_refuses_fails_before_anything_is_staged() throws Exception {
    Job job = create("one", "file:///srv/in/a");
    refuseRuns.set(true);
    var run = runNow(job);
    assertThat(run.status()).isEqualTo(RunStatus.FAILED);
    assertThat(run.error()).contains("outside the allowed roots now");
    assertThat(transfers).isEmpty();
    try (Stream<Path> s = Files.list(storage)) {
      assertThat(s.filter(p -> !p.getFileName().toString().startsWith("."))).isEmpty();
    }
  }
}
