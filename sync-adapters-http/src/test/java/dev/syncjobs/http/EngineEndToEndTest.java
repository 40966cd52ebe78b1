package dev.syncjobs.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobOptions;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.run.RunWorker;
import dev.syncjobs.core.testing.EngineFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineEndToEndTest {
  static final Instant T = Instant.parse("2026-10-01T12:00:00Z");

  @TempDir Path tmp;
  TestServer server;
  EngineFixture fx;

  @BeforeEach
  void setUp() throws IOException {
    server = TestServer.start();
    server.file("/mirror/a.txt", "alpha", T);
    server.file("/mirror/dir/b.bin", Fixture.randomBytes(100_000, 1), T);
    server.file("/mirror/dir/deep/c.iso", Fixture.randomBytes(300_000, 2), T);
    fx =
        new EngineFixture(
            tmp.resolve("fx"),
            List.of(new HttpTransfer(Fixture.fastSettings())),
            new RunWorker.Settings(
                "test", 3, Duration.ofSeconds(30), Duration.ofMillis(20), Duration.ofSeconds(30)));
  }

  @AfterEach
  void tearDown() throws IOException {
    fx.close();
    server.close();
  }

  private Job job(JobOptions options) {
    return fx.job("http", Source.parse(server.uri("/mirror/").toString()), "m", options);
  }

  private static Object inode(Path p) throws IOException {
    return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
  }

  @Test
  void second_run_downloads_nothing_and_publishes_no_new_version() throws Exception {
    Job job = job(JobOptions.DEFAULTS);
    Run first = fx.runAndWait(job);
    assertThat(first.status()).as(first.error()).isEqualTo(RunStatus.SUCCESS);
    server.resetCounters();

    Run second = fx.runAndWait(job);

    assertThat(second.status()).as(second.error()).isEqualTo(RunStatus.SUCCESS);
    assertThat(second.version()).isEqualTo(first.version());
    assertThat(server.bytesServed()).isZero();
    assertThat(fx.runtime.jobs().versions(job.id())).hasSize(1);
  }

  @Test
  void a_changed_file_makes_a_new_version_with_the_rest_hard_linked() throws Exception {
    Job job = job(JobOptions.DEFAULTS);
    Run first = fx.runAndWait(job);
    server.file("/mirror/dir/b.bin", Fixture.randomBytes(100_000, 9), T.plusSeconds(600));
    server.resetCounters();

    Run second = fx.runAndWait(job);

    assertThat(second.status()).as(second.error()).isEqualTo(RunStatus.SUCCESS);
    assertThat(second.version()).isNotEqualTo(first.version());
    assertThat(server.bytesServed()).isEqualTo(100_000);
    Path v1 = fx.destination("m").resolve(first.version());
    Path v2 = fx.destination("m").resolve(second.version());
    assertThat(inode(v2.resolve("a.txt"))).isEqualTo(inode(v1.resolve("a.txt")));
    assertThat(inode(v2.resolve("dir/deep/c.iso"))).isEqualTo(inode(v1.resolve("dir/deep/c.iso")));
    assertThat(Fixture.sha256(v2.resolve("dir/b.bin")))
        .isEqualTo(Fixture.sha256(Fixture.randomBytes(100_000, 9)));
    assertThat(Fixture.sha256(v1.resolve("dir/b.bin")))
        .isEqualTo(Fixture.sha256(Fixture.randomBytes(100_000, 1)));
  }

  @Test
  void a_removed_file_is_gone_with_delete_removed() throws Exception {
    Job job = job(JobOptions.DEFAULTS);
    fx.runAndWait(job);
    server.remove("/mirror/a.txt");

    Run second = fx.runAndWait(job);

    assertThat(second.status()).as(second.error()).isEqualTo(RunStatus.SUCCESS);
    Path v2 = fx.destination("m").resolve(second.version());
    assertThat(Files.exists(v2.resolve("a.txt"))).isFalse();
    assertThat(v2.resolve("dir/deep/c.iso")).exists();
  }

  @Test
  void a_removed_file_is_kept_without_delete_removed() throws Exception {
    Job job = job(JobOptions.DEFAULTS.withDeleteRemoved(false));
    Run first = fx.runAndWait(job);
    server.remove("/mirror/a.txt");

    Run second = fx.runAndWait(job);

    assertThat(second.status()).as(second.error()).isEqualTo(RunStatus.SUCCESS);
    assertThat(second.version()).isEqualTo(first.version());
    assertThat(fx.destination("m").resolve("current/a.txt")).hasContent("alpha");
  }

  @Test
  void a_failed_run_leaves_partials_that_the_next_run_resumes() throws Exception {
    int size = 8 << 20;
    byte[] big = Fixture.randomBytes(size, 3);
    server.file("/mirror/big.iso", big, T);
    TestServer.Fault[] faults = new TestServer.Fault[21];
    faults[0] = new TestServer.CloseAfter(3 << 20);
    for (int i = 1; i < faults.length; i++) {
      faults[i] = new TestServer.Status(500, java.util.Map.of());
    }
    server.fault("/mirror/big.iso", faults);
    Job job = job(JobOptions.DEFAULTS.withMaxRetries(0));

    Run failed = fx.runAndWait(job);
    assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
    assertThat(failed.error()).contains("big.iso");
    try (var walk = Files.walk(fx.destination("m"))) {
      assertThat(walk.filter(p -> p.toString().endsWith(".part")))
          .as("partial downloads lie in the staging directory's records, not in it")
          .isNotEmpty()
          .allMatch(p -> fx.destination("m").relativize(p).startsWith(".syncjobs"));
    }
    long onDisk;
    try (var walk = Files.walk(fx.destination("m"))) {
      onDisk =
          walk.filter(p -> p.toString().endsWith(".part"))
              .mapToLong(
                  p -> {
                    try {
                      return Files.size(p);
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  })
              .sum();
    }
    assertThat(onDisk).isEqualTo(3 << 20);
    server.clearFaults();
    server.resetCounters();

    Run second = fx.runAndWait(job);

    assertThat(second.status()).as(second.error()).isEqualTo(RunStatus.SUCCESS);
    Path v = fx.destination("m").resolve(second.version());
    assertThat(Fixture.sha256(v.resolve("big.iso"))).isEqualTo(Fixture.sha256(big));
    assertThat(server.bytesServed("/mirror/big.iso")).isEqualTo(size - onDisk);
    assertThat(PartialFolder.of(v)).doesNotExist();
    assertThat(Fixture.tree(v)).containsOnlyKeys("a.txt", "dir/b.bin", "dir/deep/c.iso", "big.iso");
  }

  @Test
  void a_checksum_mismatch_fails_the_run_and_the_previous_version_stays_current() throws Exception {
    Job job = job(JobOptions.DEFAULTS.withMaxRetries(0));
    Run first = fx.runAndWait(job);
    server.file("/mirror/a.txt", "alpha, changed", T.plusSeconds(600));
    server.file("/mirror/SHA256SUMS", "0".repeat(64) + "  a.txt\n", T.plusSeconds(600));

    Run second = fx.runAndWait(job);

    assertThat(second.status()).isEqualTo(RunStatus.FAILED);
    assertThat(second.error()).contains("checksum mismatch for a.txt");
    assertThat(fx.destination("m").resolve("current").toRealPath().getFileName().toString())
        .isEqualTo(first.version());
    assertThat(fx.destination("m").resolve("current/a.txt")).hasContent("alpha");
  }
}
