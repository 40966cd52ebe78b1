package dev.syncjobs.app.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.syncjobs.app.metrics.PrometheusText;
import dev.syncjobs.core.model.Job;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.port.JobRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} of a real server after real runs: a success, an unchanged run, a failure, an
 * occurrence skipped because the job's run was still active, and a cancel. The text is read by
 * {@link PrometheusText}, a strict reader of the format (the Java client has no parser).
 */
class MetricsEndpointTest {
  static final String JOBS = "/api/v1/storage/sync-jobs";

  @TempDir Path tmp;

  String runAndWait(TestServer s, String job, String expected) {
    String run = s.post(JOBS + "/" + job + "/run", "{}").data().get("id").asText();
    JsonNode end = s.awaitRunEnd(job, run, Duration.ofSeconds(30));
    assertThat(end.get("status").asText()).as(end.toString()).isEqualTo(expected);
    return run;
  }

  List<JsonNode> history(TestServer s, String job) {
    List<JsonNode> out = new ArrayList<>();
    s.get(JOBS + "/" + job + "/history?limit=100").data().forEach(out::add);
    return out;
  }

  static double epochSeconds(JsonNode time) {
    return Instant.parse(time.asText()).toEpochMilli() / 1000.0;
  }

  @Test
  void counts_a_success_an_unchanged_run_a_failure_a_skipped_occurrence_and_a_cancel()
      throws Exception {
    Path source = TestServer.sourceTree(tmp.resolve("src"), 3, 1000);
    Path gone = TestServer.sourceTree(tmp.resolve("gone"), 1, 10);
    Path big = Files.createDirectories(tmp.resolve("big"));
    Files.write(big.resolve("big.bin"), new byte[16 << 20]);
    try (TestServer s = new TestServer(tmp)) {
      assertThat(s.send("GET", "/metrics", null, null, null).status()).isEqualTo(401);
      assertThat(s.send("GET", "/metrics", TestServer.VIEWER, null, null).status()).isEqualTo(200);

      String ok = s.createJob(TestServer.jobJson("mirror-ok", source, "ok", "\"max_retries\":0"));
      runAndWait(s, ok, "success");
      String unchanged = runAndWait(s, ok, "success");

      String bad = s.createJob(TestServer.jobJson("mirror-bad", gone, "bad", "\"max_retries\":0"));
      Files.delete(gone.resolve("f0.bin"));
      Files.delete(gone.resolve("sub"));
      Files.delete(gone);
      runAndWait(s, bad, "failed");

      String slow =
          s.createJob(
              TestServer.jobJson(
                  "mirror-slow",
                  big,
                  "slow",
                  "\"bandwidth_limit\":2097152,\"max_retries\":0,\"schedule\":\"hourly\""));
      String slowRun = s.post(JOBS + "/" + slow + "/run", "{}").data().get("id").asText();
      TestServer.await(
          "the slow run to transfer",
          Duration.ofSeconds(20),
          () ->
              s.get(JOBS + "/" + slow + "/runs/" + slowRun).data().get("bytes_transferred").asLong()
                  > 0);
      // its hourly occurrence falls due two seconds ago, while its run is still active
      JobRepository jobs = s.server.runtime().jobRepository();
      Job job = jobs.find(new JobId(UUID.fromString(slow))).orElseThrow();
      jobs.update(job.withNextRunAt(Instant.now().minusSeconds(2)));
      s.server.runtime().scheduler().wakeUp();
      TestServer.await(
          "the occurrence to be recorded skipped",
          Duration.ofSeconds(20),
          () ->
              history(s, slow).stream().anyMatch(r -> r.get("status").asText().equals("skipped")));
      assertThat(s.post(JOBS + "/" + slow + "/cancel", "{}").status()).isEqualTo(200);
      assertThat(s.awaitRunEnd(slow, slowRun, Duration.ofSeconds(20)).get("status").asText())
          .isEqualTo("cancelled");
      TestServer.await(
          "the cancelled run to leave its slot",
          Duration.ofSeconds(10),
          () -> s.server.runtime().worker().activeCount() == 0);

      TestServer.Response r = s.get("/metrics");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.contentType()).startsWith("text/plain; version=0.0.4");
      PrometheusText m = PrometheusText.parse(r.body());

      assertThat(m.value("syncjobs_runs_total", "status", "success")).isEqualTo(2);
      assertThat(m.value("syncjobs_runs_total", "status", "failed")).isEqualTo(1);
      assertThat(m.value("syncjobs_runs_total", "status", "skipped")).isEqualTo(1);
      assertThat(m.value("syncjobs_runs_total", "status", "cancelled")).isEqualTo(1);
      assertThat(m.type("syncjobs_run_duration_seconds")).isEqualTo("histogram");
      assertThat(m.value("syncjobs_run_duration_seconds_count", "status", "success")).isEqualTo(2);
      assertThat(m.value("syncjobs_run_duration_seconds_count", "status", "failed")).isEqualTo(1);
      assertThat(m.value("syncjobs_run_duration_seconds_count", "status", "cancelled"))
          .isEqualTo(1);
      assertThat(m.value("syncjobs_run_duration_seconds_sum", "status", "cancelled"))
          .isGreaterThan(0);

      long bytes = 0;
      long files = 0;
      for (String j : List.of(ok, bad, slow)) {
        for (JsonNode run : history(s, j)) {
          bytes += run.get("bytes_transferred").asLong();
          files += run.get("files_synced").asLong();
        }
      }
      JsonNode second = s.get(JOBS + "/" + ok + "/runs/" + unchanged).data();
      assertThat(second.get("bytes_transferred").asLong()).isZero();
      assertThat(bytes).isGreaterThan(3000);
      assertThat(m.value("syncjobs_bytes_transferred_total")).isEqualTo(bytes);
      assertThat(m.value("syncjobs_files_transferred_total")).isEqualTo(files);

      assertThat(m.value("syncjobs_scheduler_lag_seconds_count")).isEqualTo(1);
      assertThat(m.value("syncjobs_scheduler_lag_seconds_sum")).isBetween(2.0, 30.0);
      assertThat(m.value("syncjobs_scheduler_lag_seconds_bucket", "le", "1.0")).isZero();

      assertThat(m.value("syncjobs_last_success_timestamp_seconds", "job", "mirror-ok"))
          .isCloseTo(epochSeconds(second.get("completed_at")), within(1.0));
      JsonNode badJob = s.get(JOBS + "/" + bad).data();
      assertThat(m.value("syncjobs_last_success_timestamp_seconds", "job", "mirror-bad"))
          .isCloseTo(epochSeconds(badJob.get("created_at")), within(1.0));

      assertThat(m.value("syncjobs_active_runs")).isZero();
      assertThat(m.value("syncjobs_jobs", "status", "synced")).isEqualTo(1);
      assertThat(m.value("syncjobs_jobs", "status", "failed")).isEqualTo(1);
      assertThat(m.value("syncjobs_jobs", "status", "idle")).isEqualTo(1);
      assertThat(m.value("syncjobs_backend_online", "backend", "default")).isEqualTo(1);
      assertThat(m.value("syncjobs_backend_free_bytes", "backend", "default")).isGreaterThan(0);
      assertThat(m.value("syncjobs_websocket_clients")).isZero();
      assertThat(m.value("syncjobs_upload_bytes_total")).isZero();
      assertThat(m.samples()).anySatisfy(x -> assertThat(x.name()).startsWith("jvm_memory"));
      assertThat(m.samples()).noneSatisfy(x -> assertThat(x.labels()).containsKey("instance"));
    }
  }

  @Test
  void public_metrics_need_no_token_and_the_api_still_does() throws Exception {
    try (TestServer s = new TestServer(tmp, Map.of("SYNCJOBS_METRICS_PUBLIC", "true"))) {
      TestServer.Response r = s.send("GET", "/metrics", null, null, null);
      assertThat(r.status()).isEqualTo(200);
      assertThat(PrometheusText.parse(r.body()).value("syncjobs_active_runs")).isZero();
      assertThat(s.send("GET", JOBS, null, null, null).status()).isEqualTo(401);
    }
  }
}
