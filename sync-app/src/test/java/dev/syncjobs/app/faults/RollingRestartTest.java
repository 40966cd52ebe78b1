package dev.syncjobs.app.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.syncjobs.app.testing.PostgresSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three instances in their own JVMs on one PostgreSQL, restarted one after the other (SIGTERM, then
 * start, as a rolling upgrade does) while manual runs and every-minute cron runs execute, until
 * each instance was restarted and a minute boundary passed during the restarts. A run in flight on
 * another instance is never failed by a stop or a start, a run stopped with its instance is resumed
 * elsewhere, and every occurrence runs exactly once.
 */
@Tag("faults")
class RollingRestartTest {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path tmp;

  PostgresSchema pg;

  @AfterEach
  void drop() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void a_rolling_restart_fails_no_run_of_another_instance_and_runs_every_occurrence_once()
      throws Exception {
    pg = Postgres.schema("RollingRestartTest");
    Map<String, String> env = Postgres.clusterEnv(pg, tmp);
    long t0 = System.nanoTime();
    List<ServerProcess> nodes = new ArrayList<>();
    try (SourceServer source = new SourceServer()) {
      for (String name : new String[] {"a", "b", "c"}) {
        nodes.add(new ServerProcess(name, tmp, env));
      }
      ClusterRuns cluster = new ClusterRuns(source);
      source.throttle(50_000);
      ClusterRuns.startAll(nodes);
      cluster.createJobs(nodes.get(0), 5, 3, 6, 250_000);
      Instant boundary =
          cluster.created.plusSeconds(2).truncatedTo(ChronoUnit.MINUTES).plusSeconds(60);

      Set<String> stopped = new HashSet<>();
      Map<String, String> inFlightElsewhere = new HashMap<>();
      int restarts = 0;
      while (restarts < 3 || Instant.now().isBefore(boundary.plusSeconds(5))) {
        ServerProcess victim = nodes.get(restarts % 3);
        ServerProcess other = nodes.get((restarts + 1) % 3);
        Map<String, String> others = new HashMap<>();
        Await.until(
            "runs in flight on " + victim.instanceId() + " and on another instance",
            Duration.ofSeconds(90),
            () -> {
              cluster.keepBusy(other);
              Map<String, String> running = cluster.running(other);
              others.clear();
              running.forEach(
                  (run, at) -> {
                    if (!at.equals(victim.instanceId())) {
                      others.put(run, at);
                    }
                  });
              return !others.isEmpty() && running.containsValue(victim.instanceId());
            });
        stopped.add(victim.instanceId());
        victim.terminate();
        inFlightElsewhere.putAll(others);
        for (var e : others.entrySet()) {
          JsonNode r = find(cluster, other, e.getKey());
          assertThat(r.get("status").asText())
              .as("run %s of %s after %s stopped", e.getKey(), e.getValue(), victim.name)
              .isNotIn("failed", "cancelled");
        }
        victim.start();
        restarts++;
        // a guard against a loop that never ends, not a count: on a quiet machine a restart takes
        // a few seconds, so the restarts until the boundary may be many
        assertThat(Instant.now())
            .as("restarting past the minute boundary")
            .isBefore(boundary.plus(Duration.ofMinutes(3)));
      }
      Instant until = Instant.now();
      cluster.stopFiring(nodes.get(0));
      Map<String, List<JsonNode>> all =
          cluster.awaitQuiet(() -> nodes.get(0), Duration.ofSeconds(120));

      for (var e : inFlightElsewhere.entrySet()) {
        JsonNode r = find(all, e.getKey());
        assertThat(r.get("status").asText())
            .as("run %s, in flight on %s while another instance restarted", r, e.getValue())
            .isNotEqualTo("failed");
      }
      cluster.checkOutcomes(all, stopped);
      int occurrences = cluster.checkOccurrences(all, until);
      cluster.checkMirrors(tmp.resolve("shared"), all);
      System.err.printf(
          "RollingRestartTest: %d restarts, %d runs (%d interrupted by shutdown and resumed),"
              + " %d runs in flight on other instances during a restart, %d occurrences checked,"
              + " %d s%n",
          restarts,
          all.values().stream().mapToLong(List::size).sum(),
          ClusterRuns.count(all, "cancelled"),
          inFlightElsewhere.size(),
          occurrences,
          (System.nanoTime() - t0) / 1_000_000_000L);
      assertThat(occurrences).isPositive();
      assertThat(ClusterRuns.count(all, "cancelled"))
          .as("runs stopped with their instance")
          .isPositive();
    } finally {
      nodes.forEach(ServerProcess::close);
    }
  }

  private static JsonNode find(ClusterRuns cluster, ServerProcess via, String run) {
    return find(cluster.runs(via), run);
  }

  private static JsonNode find(Map<String, List<JsonNode>> all, String run) {
    return all.values().stream()
        .flatMap(List::stream)
        .filter(r -> r.get("id").asText().equals(run))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no run " + run));
  }
}
