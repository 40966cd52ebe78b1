package dev.syncjobs.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobOptions;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.Source;
import dev.syncjobs.core.run.RunWorker;
import dev.syncjobs.core.testing.EngineFixture;
import dev.syncjobs.core.version.Bookkeeping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a destination holds after HTTP runs through the engine: versions with the source's files
 * alone, syncjobs' records beside them in {@code .syncjobs/}, also for a destination an earlier
 * release laid out with the manifest inside the version.
 */
class VersionLayoutTest {
  static final Instant T = Instant.parse("2026-10-01T12:00:00Z");
  static final byte[] B = Fixture.randomBytes(100_000, 1);
  static final byte[] C = Fixture.randomBytes(300_000, 2);

  @TempDir Path tmp;
  TestServer server;
  EngineFixture fx;

  @BeforeEach
  void setUp() throws IOException {
    server = TestServer.start();
    server.file("/mirror/a.txt", "alpha", T);
    server.file("/mirror/dir/b.bin", B, T);
    server.file("/mirror/dir/deep/c.iso", C, T);
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

  private Path dest() {
    return fx.destination("m");
  }

  /** Every entry below {@code root}, folders included, relative. */
  private static List<String> entries(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> !p.equals(root)).map(p -> root.relativize(p).toString()).toList();
    }
  }

  /** GET requests for files (not listings). */
  private long fileGets() {
    return server.requests().stream()
        .filter(r -> r.method().equals("GET") && !r.rawPath().endsWith("/"))
        .count();
  }

  private static Object inode(Path p) throws IOException {
    return Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
  }

  @Test
  void a_version_holds_exactly_the_sources_files_and_its_manifest_lies_beside_it()
      throws Exception {
    Run run = fx.runAndWait(job(JobOptions.DEFAULTS));

    assertThat(run.status()).as(run.error()).isEqualTo(RunStatus.SUCCESS);
    Path version = dest().resolve(run.version());
    assertThat(entries(version))
        .containsExactlyInAnyOrder("a.txt", "dir", "dir/b.bin", "dir/deep", "dir/deep/c.iso");
    assertThat(entries(dest().resolve(Bookkeeping.DIR)))
        .containsExactlyInAnyOrder(run.version(), run.version() + "/" + Manifest.FILE);
    assertThat(Manifest.read(Manifest.of(version)))
        .containsOnlyKeys("a.txt", "dir/b.bin", "dir/deep/c.iso");
    try (Stream<Path> s = Files.list(dest())) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("current", run.version(), Bookkeeping.DIR);
    }
  }

  @Test
  void top_level_source_files_named_like_the_records_are_mirrored_byte_for_byte() throws Exception {
    byte[] tsv = "# syncjobs http manifest v1\tsize\tmtime\tlisted\tetag\tsha256\n".getBytes();
    byte[] x = Fixture.randomBytes(5_000, 7);
    server.file("/mirror/.syncjobs-manifest.tsv", tsv, T);
    server.file("/mirror/.syncjobs-x", x, T);
    server.file("/mirror/.syncjobs/inside.txt", "a folder of that name", T);
    Job job = job(JobOptions.DEFAULTS);

    Run first = fx.runAndWait(job);
    server.resetCounters();
    Run second = fx.runAndWait(job);

    assertThat(first.status()).as(first.error()).isEqualTo(RunStatus.SUCCESS);
    assertThat(first.filesSkipped()).isZero();
    Path v = dest().resolve(first.version());
    assertThat(Files.readAllBytes(v.resolve(".syncjobs-manifest.tsv"))).isEqualTo(tsv);
    assertThat(Files.readAllBytes(v.resolve(".syncjobs-x"))).isEqualTo(x);
    assertThat(v.resolve(".syncjobs/inside.txt")).hasContent("a folder of that name");
    assertThat(Fixture.tree(v)).hasSize(6);
    assertThat(Manifest.read(Manifest.of(v)))
        .containsKeys(".syncjobs-manifest.tsv", ".syncjobs-x", ".syncjobs/inside.txt");
    assertThat(second.version()).as("unchanged").isEqualTo(first.version());
    assertThat(fileGets()).isZero();
  }

  @Test
  void the_first_run_after_the_upgrade_links_everything_and_leaves_the_manifest_behind()
      throws Exception {
    Job job = job(JobOptions.DEFAULTS);
    Run first = fx.runAndWait(job);
    Path old = dest().resolve(first.version());
    // the layout an earlier release left: the manifest at the top of the version, no records
    Files.setPosixFilePermissions(old, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.move(Manifest.of(old), old.resolve(Manifest.OLD_FILE));
    Files.delete(Bookkeeping.of(old));
    Files.delete(dest().resolve(Bookkeeping.DIR));
    String oldManifest = Files.readString(old.resolve(Manifest.OLD_FILE));
    server.resetCounters();

    Run upgrade = fx.runAndWait(job);

    assertThat(upgrade.status()).as(upgrade.error()).isEqualTo(RunStatus.SUCCESS);
    assertThat(fileGets()).as("files downloaded").isZero();
    assertThat(server.bytesServed()).isZero();
    assertThat(upgrade.version()).isNotEqualTo(first.version());
    Path now = dest().resolve(upgrade.version());
    assertThat(entries(now))
        .containsExactlyInAnyOrder("a.txt", "dir", "dir/b.bin", "dir/deep", "dir/deep/c.iso");
    for (String f : List.of("a.txt", "dir/b.bin", "dir/deep/c.iso")) {
      assertThat(inode(now.resolve(f))).as(f).isEqualTo(inode(old.resolve(f)));
    }
    assertThat(Files.readString(Manifest.of(now))).isEqualTo(oldManifest);
    assertThat(old.resolve(Manifest.OLD_FILE)).as("the old version stays as it was").exists();
    assertThat(Files.readSymbolicLink(dest().resolve("current")).toString())
        .isEqualTo(upgrade.version());

    server.resetCounters();
    Run after = fx.runAndWait(job);
    assertThat(after.version()).isEqualTo(upgrade.version());
    assertThat(fileGets()).isZero();
  }

  @Test
  void pruning_a_version_removes_its_records() throws Exception {
    Job job = job(JobOptions.DEFAULTS.withKeepVersions(2));
    Run last = null;
    for (int i = 0; i < 4; i++) {
      server.file("/mirror/a.txt", "alpha " + i, T.plusSeconds(600L * i));
      last = fx.runAndWait(job);
      assertThat(last.status()).as(last.error()).isEqualTo(RunStatus.SUCCESS);
    }

    List<String> versions =
        fx.runtime.jobs().versions(job.id()).stream().map(v -> v.name()).toList();
    assertThat(versions).hasSize(2).contains(last.version());
    try (Stream<Path> s = Files.list(dest().resolve(Bookkeeping.DIR))) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrderElementsOf(versions);
    }
    for (String v : versions) {
      assertThat(Manifest.of(dest().resolve(v))).isRegularFile();
    }
    Map<String, Manifest.Entry> current =
        Manifest.read(Manifest.of(dest().resolve(last.version())));
    assertThat(current.get("a.txt").size()).isEqualTo("alpha 3".length());
  }
}
