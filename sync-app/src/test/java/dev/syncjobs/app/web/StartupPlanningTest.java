package dev.syncjobs.app.web;

import static dev.syncjobs.app.web.TestServer.jobJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that starts on a database whose scheduled jobs have no next occurrence (restored from a
 * backup, written by an older version) plans them before it fires anything; a disabled job and a
 * manual one stay without.
 */
class StartupPlanningTest {
  private static final String JOBS = "/api/v1/storage/sync-jobs/";

  @TempDir Path tmp;

  @Test
  void the_next_occurrence_of_every_enabled_scheduled_job_is_planned_at_start() throws Exception {
    Path src = TestServer.sourceTree(tmp.resolve("src"), 1, 10);
    String cron;
    String disabled;
    String manual;
    try (TestServer s = new TestServer(tmp)) {
      cron =
          s.createJob(
              jobJson(
                  "nightly",
                  src,
                  "nightly",
                  "\"schedule\":\"cron\",\"cron_expression\":\"0 3 * * *\""));
      disabled =
          s.createJob(
              jobJson("paused", src, "paused", "\"schedule\":\"hourly\",\"enabled\":false"));
      manual = s.createJob(jobJson("by-hand", src, "by-hand", ""));
    }
    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("data/syncjobs.db"));
        Statement st = c.createStatement()) {
      assertThat(st.executeUpdate("UPDATE jobs SET next_run_at = NULL")).isEqualTo(3);
    }

    try (TestServer s = new TestServer(tmp)) {
      assertThat(s.get(JOBS + cron).data().get("next_run_at").asText()).endsWith("T03:00:00Z");
      assertThat(s.get(JOBS + disabled).data().get("next_run_at").isNull()).isTrue();
      assertThat(s.get(JOBS + manual).data().get("next_run_at").isNull()).isTrue();
    }
  }
}
