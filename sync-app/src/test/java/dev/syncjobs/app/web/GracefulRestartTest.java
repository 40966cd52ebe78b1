package dev.syncjobs.app.web;

import static dev.syncjobs.app.web.TestServer.jobJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server on SQLite stopped while a run is in flight (what SIGTERM does) and started again on the
 * same data dir: the run is recorded as interrupted by shutdown and the resume run queued for it
 * finishes the job from the files the first attempt left in staging.
 */
class GracefulRestartTest {
  @TempDir Path tmp;

  @Test
  void a_run_stopped_by_shutdown_is_resumed_at_the_next_start_and_transfers_less_than_the_whole()
      throws Exception {
    int files = 20;
    int size = 150_000;
    Path root = tmp.resolve("server");
    Path src = TestServer.sourceTree(root.resolve("src"), files, size);
    String job;
    String run;
    try (TestServer first = new TestServer(root)) {
      job =
          first.createJob(
              jobJson("nightly", src, "nightly", "\"bandwidth_limit\":500000,\"max_retries\":0"));
      run = first.post("/api/v1/storage/sync-jobs/" + job + "/run", null).data().get("id").asText();
      String path = "/api/v1/storage/sync-jobs/" + job + "/runs/" + run;
      TestServer.await(
          "a third of the files to be copied",
          Duration.ofSeconds(20),
          () -> first.get(path).data().get("bytes_transferred").asLong() >= files * size / 3);
    }

    try (TestServer second = new TestServer(root)) {
      JsonNode stopped = second.get("/api/v1/storage/sync-jobs/" + job + "/runs/" + run).data();
      assertThat(stopped.get("status").asText()).isEqualTo("cancelled");
      assertThat(stopped.get("error").asText()).isEqualTo("interrupted by shutdown");
      JsonNode history = second.get("/api/v1/storage/sync-jobs/" + job + "/history").data();
      assertThat(history).hasSize(2);
      JsonNode resume = history.get(0);
      assertThat(resume.get("trigger").asText()).isEqualTo("resume");

      JsonNode done = second.awaitRunEnd(job, resume.get("id").asText(), Duration.ofSeconds(30));

      assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("success");
      long whole = (long) files * size;
      System.err.println(
          "GracefulRestartTest: the resume transferred "
              + done.get("bytes_transferred").asLong()
              + " of "
              + whole
              + " bytes");
      assertThat(done.get("bytes_transferred").asLong()).isPositive().isLessThan(whole);
      JsonNode versions = second.get("/api/v1/storage/sync-jobs/" + job + "/versions").data();
      assertThat(versions).hasSize(1);
      assertThat(versions.get(0).get("files").asInt()).isEqualTo(files);
      String log = second.get("/api/v1/storage/sync-jobs/" + job + "/runs/" + run + "/log").body();
      assertThat(log).contains("interrupted by shutdown").contains("resume run");
    }
  }
}
