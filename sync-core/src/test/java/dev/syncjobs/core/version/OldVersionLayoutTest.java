package dev.syncjobs.core.version;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobOptions;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.testing.EngineFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A destination whose versions an earlier release published, with its records inside them. */
class OldVersionLayoutTest {
  private static final String OLD_MANIFEST = ".syncjobs-manifest.tsv";

  @TempDir Path tmp;
  Path source;
  EngineFixture fx;

  @BeforeEach
  void setUp() throws IOException {
    source = tmp.resolve("source");
    EngineFixture.write(source.resolve("a.txt"), "alpha");
    EngineFixture.write(source.resolve("dir/b.txt"), "bravo");
    fx = new EngineFixture(tmp.resolve("fx"));
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  /** Runs the job once, then lays its destination out as the earlier release left it. */
  private Path oldVersion(Job job) throws Exception {
    Run first = fx.runAndWait(job);
    Path dest = fx.destination("m");
    Path version = dest.resolve(first.version());
    VersionStore.deleteTree(dest.resolve(Bookkeeping.DIR));
    Files.setPosixFilePermissions(version, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(version.resolve(OLD_MANIFEST), "# syncjobs http manifest v1\n");
    Files.setPosixFilePermissions(
        version.resolve(OLD_MANIFEST), PosixFilePermissions.fromString("r--r--r--"));
    return version;
  }

  private static Object inode(Path p) throws IOException {
    return Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
  }

  @Test
  void the_first_run_publishes_the_unchanged_files_as_links_without_the_old_manifest()
      throws Exception {
    Job job = fx.localJob("mirror", source, "m", JobOptions.DEFAULTS);
    Path old = oldVersion(job);

    Run upgrade = fx.runAndWait(job);
    Run after = fx.runAndWait(job);

    assertThat(upgrade.status()).isEqualTo(RunStatus.SUCCESS);
    assertThat(upgrade.version()).isNotEqualTo(old.getFileName().toString());
    assertThat(upgrade.progress().filesDone()).as("files copied").isZero();
    Path now = fx.destination("m").resolve(upgrade.version());
    assertThat(VersionStore.files(now)).containsOnlyKeys("a.txt", "dir/b.txt");
    assertThat(now.resolve(OLD_MANIFEST)).doesNotExist();
    assertThat(inode(now.resolve("a.txt"))).isEqualTo(inode(old.resolve("a.txt")));
    assertThat(inode(now.resolve("dir/b.txt"))).isEqualTo(inode(old.resolve("dir/b.txt")));
    assertThat(old.resolve(OLD_MANIFEST)).as("the old version is not changed").exists();
    assertThat(fx.runtime.jobs().log(job.id(), upgrade.id()))
        .contains("holds syncjobs' records of an earlier release");
    assertThat(after.version()).as("then unchanged again").isEqualTo(upgrade.version());
  }

  @Test
  void the_old_manifest_is_not_carried_over_when_removed_files_are_kept() throws Exception {
    Job job = fx.localJob("mirror", source, "m", JobOptions.DEFAULTS.withDeleteRemoved(false));
    Path old = oldVersion(job);
    Files.delete(source.resolve("a.txt"));

    Run upgrade = fx.runAndWait(job);

    Path now = fx.destination("m").resolve(upgrade.version());
    assertThat(now.resolve("a.txt")).as("carried over").hasContent("alpha");
    assertThat(now.resolve(OLD_MANIFEST)).doesNotExist();
    assertThat(old.resolve(OLD_MANIFEST)).exists();
  }

  @Test
  void an_old_version_without_records_inside_is_not_republished() throws Exception {
    Job job = fx.localJob("mirror", source, "m", JobOptions.DEFAULTS);
    Run first = fx.runAndWait(job);
    VersionStore.deleteTree(fx.destination("m").resolve(Bookkeeping.DIR));

    Run again = fx.runAndWait(job);

    assertThat(again.version()).isEqualTo(first.version());
  }
}
