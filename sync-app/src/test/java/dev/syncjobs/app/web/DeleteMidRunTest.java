package dev.syncjobs.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deleting a job leaves no partial data behind: nothing will ever resume it. */
class DeleteMidRunTest {
  static final String JOBS = "/api/v1/storage/sync-jobs";

  private static List<Path> partials(Path dest) throws IOException {
    if (!Files.isDirectory(dest)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dest)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".partial")).toList();
    }
  }

  private static long bytesUnder(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  @Test
  void deleting_a_job_mid_run_cancels_the_run_and_removes_its_staging(@TempDir Path tmp)
      throws Exception {
    Path source = Files.createDirectories(tmp.resolve("src"));
    Files.write(source.resolve("big.bin"), new byte[16 << 20]);
    try (TestServer s =
        new TestServer(tmp, Map.of("SYNCJOBS_LOCAL_SOURCE_ROOTS", source.toString()))) {
      String job =
          s.createJob(TestServer.jobJson("slow", source, "slow", "\"bandwidth_limit\":2097152"));
      Path dest = s.dataDir.resolve("storage/slow");
      String run = s.post(JOBS + "/" + job + "/run", "{}").data().get("id").asText();
      TestServer.await(
          "the run to write into its staging directory",
          Duration.ofSeconds(20),
          () -> {
            try {
              List<Path> p = partials(dest);
              return !p.isEmpty() && bytesUnder(p.get(0)) > 0;
            } catch (IOException e) {
              return false;
            }
          });

      TestServer.Response deleted = s.delete(JOBS + "/" + job);
      assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);

      TestServer.await(
          "the staging directory to be removed",
          Duration.ofSeconds(10),
          () -> {
            try {
              return partials(dest).isEmpty() && s.server.runtime().worker().activeCount() == 0;
            } catch (IOException e) {
              return false;
            }
          });
      assertThat(s.get(JOBS + "/" + job + "/runs/" + run).status()).isEqualTo(404);
    }
  }

  @Test
  void deleting_a_job_removes_the_partial_data_an_earlier_run_left(@TempDir Path tmp)
      throws Exception {
    Path source = TestServer.sourceTree(tmp.resolve("src"), 2, 10);
    try (TestServer s =
        new TestServer(tmp, Map.of("SYNCJOBS_LOCAL_SOURCE_ROOTS", source.toString()))) {
      String job = s.createJob(TestServer.jobJson("left", source, "left", ""));
      String run = s.post(JOBS + "/" + job + "/run", "{}").data().get("id").asText();
      assertThat(s.awaitRunEnd(job, run, Duration.ofSeconds(20)).get("status").asText())
          .isEqualTo("success");
      Path dest = s.dataDir.resolve("storage/left");
      Path leftover = Files.createDirectories(dest.resolve("20261123T030000Z.partial/sub"));
      Files.writeString(leftover.resolve("half.bin"), "half");
      Path records = Files.createDirectories(dest.resolve(".syncjobs/20261123T030000Z.partial"));
      Files.writeString(records.resolve("state"), "partial state");

      assertThat(s.delete(JOBS + "/" + job).status()).isEqualTo(200);

      assertThat(partials(dest)).isEmpty();
      assertThat(records).doesNotExist();
      assertThat(dest.resolve("current")).exists();
      assertThat(
              dest.resolve(".syncjobs").resolve(dest.resolve("current").toRealPath().getFileName()))
          .as("the records of the version stay with it")
          .isDirectory();
    }
  }

  @Test
  void the_daily_clean_up_removes_old_partial_data_no_job_owns_and_nothing_else(@TempDir Path tmp)
      throws Exception {
    Path source = TestServer.sourceTree(tmp.resolve("src"), 2, 10);
    try (TestServer s =
        new TestServer(tmp, Map.of("SYNCJOBS_LOCAL_SOURCE_ROOTS", source.toString()))) {
      s.createJob(TestServer.jobJson("kept", source, "mirrors/kept", ""));
      Path storage = s.dataDir.resolve("storage");
      FileTime old = FileTime.from(Instant.now().minus(Duration.ofDays(2)));
      Path orphan = stagingWithFile(storage.resolve("mirrors/gone/20261120T030000Z.partial"), old);
      Path orphanRecords =
          stagingWithFile(storage.resolve("mirrors/gone/.syncjobs/20261120T030000Z.partial"), old);
      Path goneVersion = stagingWithFile(storage.resolve("mirrors/gone/20261119T030000Z"), old);
      Path goneRecords =
          stagingWithFile(storage.resolve("mirrors/gone/.syncjobs/20261119T030000Z"), old);
      Path recordsNamedLikeStaging =
          stagingWithFile(storage.resolve("mirrors/gone/.syncjobs/20261118T030000Z.partial"), old);
      Files.setLastModifiedTime(storage.resolve("mirrors/gone/.syncjobs"), old);
      Path ownedPartial =
          stagingWithFile(storage.resolve("mirrors/kept/20261120T030000Z.partial"), old);
      Path young = stagingWithFile(storage.resolve("other/20261121T030000Z.partial"), null);
      Path notStaging = stagingWithFile(storage.resolve("other/photos.partial"), old);

      assertThat(s.server.runtime().sweepOrphanedStaging()).containsExactly(orphan);

      assertThat(orphan).doesNotExist();
      assertThat(orphanRecords).as("the records go with their staging directory").doesNotExist();
      assertThat(goneVersion).exists();
      assertThat(goneRecords).exists();
      assertThat(recordsNamedLikeStaging).as("the clean-up does not walk into .syncjobs").exists();
      assertThat(ownedPartial).exists();
      assertThat(young).exists();
      assertThat(notStaging).exists();
    }
  }

  private static Path stagingWithFile(Path dir, FileTime modified) throws IOException {
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(dir.resolve("sub/f.bin"), "data");
    if (modified != null) {
      Files.setLastModifiedTime(dir, modified);
    }
    return dir;
  }
}
