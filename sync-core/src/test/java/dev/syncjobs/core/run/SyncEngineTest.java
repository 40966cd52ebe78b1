package dev.syncjobs.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.local.LocalTransfer;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobOptions;
import dev.syncjobs.core.model.JobStatus;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.model.VersionInfo;
import dev.syncjobs.core.port.Transfer;
import dev.syncjobs.core.port.TransferReport;
import dev.syncjobs.core.port.TransferRequest;
import dev.syncjobs.core.testing.EngineFixture;
import dev.syncjobs.core.version.VersionStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyncEngineTest {
  @TempDir Path tmp;
  Path source;
  EngineFixture fx;

  @BeforeEach
  void setUp() throws IOException {
    source = tmp.resolve("source");
    EngineFixture.write(source.resolve("a.txt"), "alpha");
    EngineFixture.write(source.resolve("dir/b.txt"), "bravo");
    EngineFixture.write(source.resolve("dir/deep/c.iso"), "charlie");
    fx = new EngineFixture(tmp.resolve("fx"));
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  private static Object inode(Path p) throws IOException {
    return Files.readAttributes(
            p, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
        .fileKey();
  }

  @Test
  void first_run_publishes_a_complete_read_only_version_named_current() throws Exception {
    Job job = fx.localJob("mirror", source, "m/one", JobOptions.DEFAULTS);
    Run run = fx.runAndWait(job);

    assertThat(run.status()).isEqualTo(RunStatus.SUCCESS);
    Path dest = fx.destination("m/one");
    Path current = dest.resolve("current");
    assertThat(Files.isSymbolicLink(current)).isTrue();
    assertThat(Files.readSymbolicLink(current).isAbsolute()).isFalse();
    assertThat(Files.readSymbolicLink(current).toString()).isEqualTo(run.version());
    assertThat(run.version()).matches("\\d{8}T\\d{6}Z");
    assertThat(Files.readString(current.resolve("dir/deep/c.iso"))).isEqualTo("charlie");
    assertThat(Files.getPosixFilePermissions(current.resolve("a.txt")))
        .doesNotContain(PosixFilePermission.OWNER_WRITE);
    assertThat(run.progress().filesTotal()).isEqualTo(3);
    assertThat(run.progress().filesDone()).isEqualTo(3);
    assertThat(fx.runtime.jobs().get(job.id()).status()).isEqualTo(JobStatus.SYNCED);
    try (var list = Files.list(dest)) {
      assertThat(list.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("current", run.version(), ".syncjobs");
    }
    try (var records = Files.list(dest.resolve(".syncjobs"))) {
      assertThat(records.map(p -> p.getFileName().toString())).containsExactly(run.version());
    }
    assertThat(VersionStore.files(dest.resolve(run.version())))
        .containsOnlyKeys("a.txt", "dir/b.txt", "dir/deep/c.iso");
  }

  @Test
  void top_level_source_files_named_like_syncjobs_records_are_mirrored_like_any_other()
      throws Exception {
    EngineFixture.write(source.resolve(".syncjobs-manifest.tsv"), "a source file of that name");
    EngineFixture.write(source.resolve(".syncjobs-x"), "another");
    EngineFixture.write(source.resolve(".syncjobs/inside.txt"), "a folder of that name");
    Job job = fx.localJob("mirror", source, "m", JobOptions.DEFAULTS);

    Run run = fx.runAndWait(job);
    Run again = fx.runAndWait(job);
    Files.delete(source.resolve(".syncjobs-x"));
    Run third = fx.runAndWait(job);

    assertThat(run.status()).isEqualTo(RunStatus.SUCCESS);
    assertThat(run.filesSkipped()).isZero();
    assertThat(run.progress().filesTotal()).isEqualTo(6);
    Path v1 = fx.destination("m").resolve(run.version());
    assertThat(v1.resolve(".syncjobs-manifest.tsv")).hasContent("a source file of that name");
    assertThat(v1.resolve(".syncjobs-x")).hasContent("another");
    assertThat(v1.resolve(".syncjobs/inside.txt")).hasContent("a folder of that name");
    assertThat(again.version()).as("an unchanged source").isEqualTo(run.version());
    assertThat(third.version()).isNotEqualTo(run.version());
    assertThat(VersionStore.files(fx.destination("m").resolve(third.version())))
        .containsOnlyKeys(
            "a.txt",
            "dir/b.txt",
            "dir/deep/c.iso",
            ".syncjobs-manifest.tsv",
            ".syncjobs/inside.txt");
  }

  @Test
  void unchanged_source_publishes_no_new_version() throws Exception {
    Job job = fx.localJob("mirror", source, "m", JobOptions.DEFAULTS);
    Run first = fx.runAndWait(job);
    Run second = fx.runAndWait(job);

    assertThat(second.status()).isEqualTo(RunStatus.SUCCESS);
    assertThat(second.version()).isEqualTo(first.version());
    assertThat(second.progress().filesDone()).isZero();
    assertThat(second.progress().bytesDone()).isZero();
    assertThat(fx.runtime.jobs().versions(job.id())).hasSize(1);
  }

  @Test
  void changed_file_makes_a_new_version_whose_other_files_are_hard_links() throws Exception {
    Job job = fx.localJob("mirror", source, "m", JobOptions.DEFAULTS);
    Run first = fx.runAndWait(job);
    EngineFixture.write(source.resolve("a.txt"), "alpha, changed");
    Run second = fx.runAndWait(job);

    assertThat(second.version()).isNotEqualTo(first.version());
    Path v1 = fx.destination("m").resolve(first.version());
    Path v2 = fx.destination("m").resolve(second.version());
    assertThat(inode(v2.resolve("dir/b.txt"))).isEqualTo(inode(v1.resolve("dir/b.txt")));
    assertThat(inode(v2.resolve("a.txt"))).isNotEqualTo(inode(v1.resolve("a.txt")));
    assertThat(Files.readString(v1.resolve("a.txt"))).isEqualTo("alpha");
    assertThat(Files.readString(v2.resolve("a.txt"))).isEqualTo("alpha, changed");
    assertThat(second.progress().filesDone()).isEqualTo(1);
  }

  @Test
  void prune_keeps_exactly_keep_versions() throws Exception {
    Job job = fx.localJob("mirror", source, "m", JobOptions.DEFAULTS.withKeepVersions(2));
    String last = null;
    for (int i = 0; i < 5; i++) {
      EngineFixture.write(source.resolve("a.txt"), "v" + i);
      last = fx.runAndWait(job).version();
    }
    List<VersionInfo> versions = fx.runtime.jobs().versions(job.id());
    assertThat(versions).hasSize(2);
    assertThat(versions.get(0).name()).isEqualTo(last);
    assertThat(versions.get(0).current()).isTrue();
    assertThat(versions.get(1).current()).isFalse();
    try (var records = Files.list(fx.destination("m").resolve(".syncjobs"))) {
      assertThat(records.map(p -> p.getFileName().toString()))
          .as("the records of pruned versions go with them")
          .containsExactlyInAnyOrder(versions.get(0).name(), versions.get(1).name());
    }
  }

  @Test
  void removed_files_are_carried_over_when_delete_removed_is_false() throws Exception {
    Job job = fx.localJob("mirror", source, "m", JobOptions.DEFAULTS.withDeleteRemoved(false));
    Run first = fx.runAndWait(job);
    Files.delete(source.resolve("a.txt"));
    Run second = fx.runAndWait(job);

    assertThat(second.version()).isEqualTo(first.version());
    EngineFixture.write(source.resolve("new.txt"), "new");
    Run third = fx.runAndWait(job);
    Path v3 = fx.destination("m").resolve(third.version());
    assertThat(v3.resolve("a.txt")).hasContent("alpha");
    assertThat(v3.resolve("new.txt")).hasContent("new");
  }

  @Test
  void removed_files_are_gone_when_delete_removed_is_true() throws Exception {
    Job job = fx.localJob("mirror", source, "m", JobOptions.DEFAULTS);
    fx.runAndWait(job);
    Files.delete(source.resolve("a.txt"));
    Run second = fx.runAndWait(job);
    Path v2 = fx.destination("m").resolve(second.version());
    assertThat(v2.resolve("a.txt")).doesNotExist();
    assertThat(v2.resolve("dir/b.txt")).exists();
  }

  @Test
  void mass_deletion_beyond_max_delete_percent_is_refused_and_current_stays() throws Exception {
    Job job = fx.localJob("mirror", source, "m", JobOptions.DEFAULTS.withMaxDeletePercent(50));
    Run first = fx.runAndWait(job);
    Files.delete(source.resolve("a.txt"));
    Files.delete(source.resolve("dir/b.txt"));
    Run second = fx.runAndWait(job);

    assertThat(second.status()).isEqualTo(RunStatus.FAILED);
    assertThat(second.error()).contains("max_delete_percent");
    assertThat(Files.readSymbolicLink(fx.destination("m").resolve("current")).toString())
        .isEqualTo(first.version());
  }

  @Test
  void filters_apply_in_order_and_empty_folders_are_not_created() throws Exception {
    Job job =
        fx.runtime
            .jobs()
            .create(
                Job.builder(
                        fx.runtime.jobs().newId(),
                        "isos",
                        Source.parse(source.toUri().toString()),
                        new dev.syncjobs.core.model.Destination("default", "isos"))
                    .include("*.iso")
                    .build());
    Run run = fx.runAndWait(job);
    Path v = fx.destination("isos").resolve(run.version());
    assertThat(v.resolve("dir/deep/c.iso")).exists();
    assertThat(v.resolve("a.txt")).doesNotExist();
    assertThat(v.resolve("dir/b.txt")).doesNotExist();
    assertThat(run.progress().filesTotal()).isEqualTo(1);
  }

  @Test
  void offline_backend_fails_the_run_and_writes_nothing() throws Exception {
    Job job = fx.localJob("mirror", source, "m", JobOptions.DEFAULTS);
    Files.delete(fx.storage.resolve(".syncjobs-backend"));
    SyncEngine.Result result =
        fx.runtime
            .engine()
            .execute(job, new dev.syncjobs.core.model.CancellationToken(), p -> {}, l -> {});
    assertThat(result.outcome().status()).isEqualTo(RunStatus.FAILED);
    assertThat(result.outcome().error()).contains("offline");
    assertThat(fx.destination("m")).doesNotExist();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> fx.runtime.jobs().runNow(job.id()))
        .isInstanceOf(dev.syncjobs.core.model.BackendOfflineException.class)
        .hasMessageContaining("offline");
  }

  /**
   * A second fixture under {@code tmp/dir} (the same storage as {@code fx} for "fx") with one
   * transfer.
   */
  private EngineFixture fixtureWith(String dir, Transfer transfer) throws IOException {
    return new EngineFixture(
        tmp.resolve(dir),
        List.of(transfer),
        new RunWorker.Settings(
            "second", 1, Duration.ofSeconds(30), Duration.ofMillis(20), Duration.ofSeconds(30)));
  }

  @Test
  void a_transfer_that_finds_the_source_same_as_the_previous_version_publishes_nothing()
      throws Exception {
    Job job = fx.localJob("mirror", source, "m", JobOptions.DEFAULTS);
    Run first = fx.runAndWait(job);
    List<TransferRequest> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    Transfer same =
        EngineFixture.anySource(
            request -> {
              seen.add(request);
              return TransferReport.sameAsPrevious(3, 19, List.of());
            });
    try (EngineFixture h = fixtureWith("fx", same)) {
      Job again = h.localJob("mirror", source, "m", JobOptions.DEFAULTS);
      h.clock.advance(Duration.ofSeconds(5));
      Run second = h.runAndWait(again);

      assertThat(second.status()).isEqualTo(RunStatus.SUCCESS);
      assertThat(second.version()).isEqualTo(first.version());
      assertThat(second.progress().filesDone()).isZero();
      assertThat(second.progress().filesTotal()).isEqualTo(3);
      assertThat(seen).singleElement().satisfies(r -> assertThat(r.previousVersion()).isPresent());
      Path dest = h.destination("m");
      assertThat(Files.readSymbolicLink(dest.resolve("current")).toString())
          .isEqualTo(first.version());
      assertThat(new VersionStore(dest).versions()).hasSize(1);
      assertThat(new VersionStore(dest).partials()).isEmpty();
      assertThat(h.runtime.jobs().log(again.id(), second.id()))
          .contains("the source matches the previous version")
          .contains("nothing changed");
    }
  }

  @Test
  void the_transfer_is_told_whether_the_job_keeps_the_files_the_source_removed() throws Exception {
    List<TransferRequest> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    Transfer empty =
        EngineFixture.anySource(
            request -> {
              seen.add(request);
              return new TransferReport(0, 0, 0, 0, List.of(), false, 0);
            });
    try (EngineFixture h = fixtureWith("fx", empty)) {
      h.runAndWait(h.localJob("keeps", source, "k", JobOptions.DEFAULTS.withDeleteRemoved(false)));
      h.runAndWait(h.localJob("mirrors", source, "d", JobOptions.DEFAULTS));
    }

    assertThat(seen).extracting(r -> r.options().keepsRemoved()).containsExactly(true, false);
  }

  @Test
  void a_first_version_of_a_transfer_that_writes_read_only_files_is_published_without_a_walk()
      throws Exception {
    Transfer readOnly =
        new Transfer() {
          @Override
          public boolean supports(Source s) {
            return true;
          }

          @Override
          public TransferReport transfer(TransferRequest request) {
            try {
              Path f = request.staging().resolve("d/one.txt");
              EngineFixture.write(f, "one");
              Files.setPosixFilePermissions(f, java.util.Set.of(PosixFilePermission.OWNER_READ));
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
            return new TransferReport(1, 3, 1, 3, List.of());
          }

          @Override
          public boolean writesReadOnlyFiles() {
            return true;
          }
        };
    try (EngineFixture h = fixtureWith("ro", readOnly)) {
      Job job = h.localJob("read-only", source, "m", JobOptions.DEFAULTS);
      Run run = h.runAndWait(job);

      assertThat(run.status()).isEqualTo(RunStatus.SUCCESS);
      Path current = h.destination("m").resolve("current");
      assertThat(Files.readString(current.resolve("d/one.txt"))).isEqualTo("one");
      assertThat(h.runtime.jobs().log(job.id(), run.id())).contains("1 added, 0 changed");
      assertThat(new VersionStore(h.destination("m")).partials()).isEmpty();
    }
  }

  /** A transfer that copies locally, then waits at a gate before returning. */
  static final class GatedTransfer implements Transfer {
    final CountDownLatch reached = new CountDownLatch(1);
    final CountDownLatch gate = new CountDownLatch(1);
    final LocalTransfer local = new LocalTransfer();

    @Override
    public boolean supports(Source s) {
      return s instanceof Source.Local;
    }

    @Override
    public TransferReport transfer(TransferRequest request) {
      TransferReport report = local.transfer(request);
      reached.countDown();
      while (true) {
        request.cancel().throwIfCancelled();
        try {
          if (gate.await(20, TimeUnit.MILLISECONDS)) {
            return report;
          }
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  /** Writes nothing unless told to; creates the staging directory itself, as it declares. */
  static final class LazyStagingTransfer implements Transfer {
    volatile boolean stagingExistedAtStart;
    volatile String write;

    @Override
    public boolean supports(Source s) {
      return true;
    }

    @Override
    public boolean createsStaging() {
      return true;
    }

    @Override
    public TransferReport transfer(TransferRequest request) {
      stagingExistedAtStart = Files.exists(request.staging());
      if (write != null) {
        try {
          EngineFixture.write(request.staging().resolve("f.txt"), write);
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
        return new TransferReport(1, write.length(), 1, write.length(), List.of());
      }
      return new TransferReport(0, 0, 0, 0, List.of());
    }
  }

  @Test
  void a_transfer_that_creates_its_staging_directory_gets_none_and_may_write_nothing()
      throws Exception {
    LazyStagingTransfer lazy = new LazyStagingTransfer();
    try (EngineFixture l = fixtureWith("lazy", lazy)) {
      Job job = l.localJob("lazy", source, "z", JobOptions.DEFAULTS);
      Path dest = l.destination("z");

      // A first run that writes nothing publishes an empty version.
      Run first = l.runAndWait(job);
      assertThat(lazy.stagingExistedAtStart).isFalse();
      assertThat(first.status()).isEqualTo(RunStatus.SUCCESS);
      assertThat(dest.resolve("current")).isDirectory().isEmptyDirectory();

      // Writing nothing again: nothing changed, no version and no staging directory left.
      Run second = l.runAndWait(job);
      assertThat(lazy.stagingExistedAtStart).isFalse();
      assertThat(second.status()).isEqualTo(RunStatus.SUCCESS);
      assertThat(second.version()).isEqualTo(first.version());
      assertThat(new VersionStore(dest).versions()).hasSize(1);
      assertThat(new VersionStore(dest).partials()).isEmpty();

      // Writing a file (the transfer creates the directory): a new version holds it.
      lazy.write = "new";
      Run third = l.runAndWait(job);
      assertThat(third.status()).isEqualTo(RunStatus.SUCCESS);
      assertThat(third.version()).isNotEqualTo(first.version());
      assertThat(dest.resolve("current/f.txt")).hasContent("new");
      assertThat(new VersionStore(dest).partials()).isEmpty();
    }
  }

  @Test
  void a_version_is_visible_only_when_complete_and_cancel_leaves_current_untouched()
      throws Exception {
    GatedTransfer gated = new GatedTransfer();
    try (EngineFixture g =
        new EngineFixture(
            tmp.resolve("gated"),
            List.of(gated),
            new RunWorker.Settings(
                "t", 2, Duration.ofSeconds(30), Duration.ofMillis(20), Duration.ofSeconds(30)))) {
      Job job = g.localJob("gated", source, "g", JobOptions.DEFAULTS);
      gated.gate.countDown();
      Run first = g.runAndWait(job);
      GatedTransfer second = new GatedTransfer();
      assertThat(first.status()).isEqualTo(RunStatus.SUCCESS);

      // A second run, held at the gate after copying everything: nothing new is visible yet.
      try (EngineFixture h =
          new EngineFixture(
              tmp.resolve("gated"),
              List.of(second),
              new RunWorker.Settings(
                  "t2",
                  2,
                  Duration.ofSeconds(30),
                  Duration.ofMillis(20),
                  Duration.ofSeconds(30)))) {
        Job job2 = h.localJob("gated", source, "g", JobOptions.DEFAULTS);
        EngineFixture.write(source.resolve("a.txt"), "changed");
        h.clock.advance(Duration.ofSeconds(5));
        Run run = h.runtime.jobs().runNow(job2.id());
        h.runtime.worker().pollOnce();
        assertThat(second.reached.await(10, TimeUnit.SECONDS)).isTrue();
        Path dest = h.destination("g");
        assertThat(Files.readSymbolicLink(dest.resolve("current")).toString())
            .isEqualTo(first.version());
        assertThat(new VersionStore(dest).versions()).hasSize(1);
        assertThat(new VersionStore(dest).partials()).hasSize(1);

        long t0 = System.nanoTime();
        h.runtime.jobs().cancel(job2.id());
        assertThat(h.runtime.awaitIdle(Duration.ofSeconds(5))).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        Run cancelled = h.find(job2, run.id());
        assertThat(cancelled.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(Files.readSymbolicLink(dest.resolve("current")).toString())
            .isEqualTo(first.version());
        assertThat(new VersionStore(dest).versions()).hasSize(1);
      }
    }
  }
}
