package dev.syncjobs.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.SyncRuntime;
import dev.syncjobs.core.model.Run;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.RunStatus;
import dev.syncjobs.core.model.Trigger;
import dev.syncjobs.core.testing.Await;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kills a process (a child JVM) in the middle of writing runs to SQLite, then reopens the file. */
class SqliteCrashTest {
  @TempDir Path dir;

  @Test
  void
      a_killed_writer_loses_no_committed_run_and_restart_fails_its_running_run_as_interrupted_and_queues_a_resume()
          throws Exception {
    Path file = dir.resolve("syncjobs.db");
    int finished = 20;
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                SqliteCrashChild.class.getName(),
                file.toString(),
                Integer.toString(finished))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  lines.add(line);
                }
              } catch (java.io.IOException ignored) {
                // the child was killed
              }
            });
    reader.start();
    try {
      Await.until(
          "the child to be busy writing its last run",
          Duration.ofSeconds(90),
          () -> lines.stream().filter(l -> l.startsWith("TICK")).count() >= 3 || !child.isAlive());
      assertThat(child.isAlive()).as("child still running").isTrue();
    } finally {
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      reader.join(10_000);
    }
    List<RunId> committed =
        lines.stream()
            .filter(l -> l.startsWith("COMMITTED "))
            .map(l -> RunId.parse(l.substring(10), "run"))
            .toList();
    RunId interrupted =
        lines.stream()
            .filter(l -> l.startsWith("RUNNING "))
            .map(l -> RunId.parse(l.substring(8), "run"))
            .findFirst()
            .orElseThrow();
    assertThat(committed).hasSize(finished);

    try (Database db = Database.open("jdbc:sqlite:" + file)) {
      try (Connection c = db.dataSource().getConnection();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("ok");
      }
      JdbcRunRepository runs = new JdbcRunRepository(db);
      JdbcRunLog log = new JdbcRunLog(db, 4096);
      for (RunId id : committed) {
        Run run = runs.find(id).orElseThrow();
        assertThat(run.status()).isEqualTo(RunStatus.SUCCESS);
        assertThat(log.read(id)).contains("done");
      }
      assertThat(log.read(interrupted)).startsWith("run " + finished + " started\n");

      JdbcJobRepository jobs = new JdbcJobRepository(db, null);
      try (SyncRuntime restarted =
          SyncRuntime.builder().repositories(jobs, runs).runLog(log).build()) {
        assertThat(restarted.worker().repairInterrupted()).isEqualTo(1);
      }

      Run after = runs.find(interrupted).orElseThrow();
      assertThat(after.status()).isEqualTo(RunStatus.FAILED);
      assertThat(after.error()).startsWith("interrupted");
      Run resume = runs.findActive(after.jobId()).orElseThrow();
      assertThat(resume.trigger()).isEqualTo(Trigger.RESUME);
      assertThat(resume.status()).isEqualTo(RunStatus.PENDING);
      assertThat(resume.attempt()).isEqualTo(after.attempt());
      assertThat(runs.count(after.jobId())).isEqualTo(finished + 2);
    }
  }
}
