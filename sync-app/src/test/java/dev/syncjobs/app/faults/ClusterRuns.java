package dev.syncjobs.app.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Jobs and runs of a cluster under test: manual jobs kept busy so runs are always in flight, cron
 * jobs firing every minute, and the checks the cluster cases share.
 */
final class ClusterRuns {
  final SourceServer source;
  final List<String> busy = new ArrayList<>();
  final List<String> cron = new ArrayList<>();
  final Map<String, String> names = new LinkedHashMap<>();
  Instant created;
  private int files;
  private int size;

  ClusterRuns(SourceServer source) {
    this.source = source;
  }

  /** Starts every server at once (a JVM start is mostly waiting on the CPU, not on each other). */
  static void startAll(List<ServerProcess> servers) {
    CompletableFuture.allOf(
            servers.stream()
                .map(s -> CompletableFuture.runAsync(s::start))
                .toArray(CompletableFuture[]::new))
        .join();
  }

  /**
   * Creates {@code busyJobs} manual jobs and {@code cronJobs} jobs firing every minute, each over a
   * folder of its own that takes a few seconds to mirror at the source's throttle.
   */
  void createJobs(ServerProcess via, int busyJobs, int cronJobs, int files, int size) {
    this.files = files;
    this.size = size;
    for (int j = 0; j < busyJobs + cronJobs; j++) {
      String name = (j < busyJobs ? "busy" : "cron") + j;
      writeFolder(name);
      String extra = j < busyJobs ? "" : "\"schedule\":\"cron\",\"cron_expression\":\"* * * * *\"";
      String id = via.createJob(ServerProcess.httpJob(name, source.url("/" + name + "/"), extra));
      (j < busyJobs ? busy : cron).add(id);
      names.put(id, name);
    }
    created = Instant.now();
  }

  /**
   * Starts a manual run of every busy job that has none active, after changing its source folder so
   * that the run has the whole folder to download again (an unchanged source makes a no-op run). A
   * job's runs start only here, or as the resume of a run stopped with its instance, which happens
   * only on the caller's thread: the source never changes under a run.
   */
  void keepBusy(ServerProcess via) {
    for (String job : busy) {
      JsonNode newest = via.get("/api/v1/storage/sync-jobs/" + job + "/history?limit=1").data();
      if (!newest.isEmpty() && ServerProcess.active(newest.get(0))) {
        continue;
      }
      writeFolder(names.get(job));
      ServerProcess.Answer a = via.post("/api/v1/storage/sync-jobs/" + job + "/run", null);
      assertThat(a.status()).as("triggering %s: %s", names.get(job), a.json()).isEqualTo(202);
    }
  }

  private final Random random = new Random(5);
  private int change;

  /** New content and a later modification time for every file of a job's source folder. */
  private void writeFolder(String name) {
    change++;
    for (int i = 0; i < files; i++) {
      byte[] data = new byte[size];
      random.nextBytes(data);
      source.put("/" + name + "/f" + i + ".bin", data, Instant.EPOCH.plusSeconds(60L * change));
    }
  }

  /** Every run of every job, by job. */
  Map<String, List<JsonNode>> runs(ServerProcess via) {
    Map<String, List<JsonNode>> out = new LinkedHashMap<>();
    for (String job : names.keySet()) {
      out.put(job, via.history(job));
    }
    return out;
  }

  /** The runs running now, by id, with the instance executing each. */
  Map<String, String> running(ServerProcess via) {
    Map<String, String> out = new HashMap<>();
    runs(via)
        .values()
        .forEach(
            list ->
                list.stream()
                    .filter(r -> r.get("status").asText().equals("running"))
                    .filter(r -> !r.get("instance_id").isNull())
                    .forEach(r -> out.put(r.get("id").asText(), r.get("instance_id").asText())));
    return out;
  }

  /** Turns the cron jobs off (allowed while they run), so the cluster can fall quiet. */
  void stopFiring(ServerProcess via) {
    for (String job : cron) {
      ServerProcess.Answer a =
          via.call("PATCH", "/api/v1/storage/sync-jobs/" + job, "{\"enabled\":false}");
      assertThat(a.status()).as(a.json().toString()).isEqualTo(200);
    }
  }

  /** Waits until no run of any job is pending or running; returns every run, by job. */
  Map<String, List<JsonNode>> awaitQuiet(Supplier<ServerProcess> via, Duration timeout) {
    List<Map<String, List<JsonNode>>> seen = new ArrayList<>();
    Await.until(
        "every run in the cluster to end",
        timeout,
        () -> {
          Map<String, List<JsonNode>> all = runs(via.get());
          seen.add(0, all);
          return all.values().stream().flatMap(List::stream).noneMatch(ServerProcess::active);
        });
    return seen.get(0);
  }

  /**
   * Each cron job has exactly one run (or skip) per minute boundary from its creation to {@code
   * until}; a boundary within two seconds of either end may have fired or not, but never twice.
   * Returns how many occurrences were checked.
   */
  int checkOccurrences(Map<String, List<JsonNode>> all, Instant until) {
    int checked = 0;
    for (String job : cron) {
      Map<Instant, Integer> count = new TreeMap<>();
      for (JsonNode r : all.get(job)) {
        if (r.get("trigger").asText().equals("schedule")) {
          count.merge(Instant.parse(r.get("scheduled_for").asText()), 1, Integer::sum);
        }
      }
      count.forEach(
          (at, n) ->
              assertThat(n).as("%s: runs of the occurrence at %s", names.get(job), at).isOne());
      for (Instant m = created.truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
          m.isBefore(until);
          m = m.plus(1, ChronoUnit.MINUTES)) {
        boolean edge =
            Duration.between(created, m).abs().getSeconds() < 2
                || Duration.between(m, until).abs().getSeconds() < 2;
        if (!edge) {
          assertThat(count).as("%s: the occurrence at %s", names.get(job), m).containsKey(m);
          checked++;
        }
      }
    }
    return checked;
  }

  /**
   * No run failed; a cancelled run was interrupted by the shutdown of its own instance (one of
   * {@code stopped}) and a resume follows it; every job's newest run succeeded.
   */
  void checkOutcomes(Map<String, List<JsonNode>> all, Set<String> stopped) {
    all.forEach(
        (job, runs) -> {
          String name = names.get(job);
          for (int i = 0; i < runs.size(); i++) {
            JsonNode r = runs.get(i);
            String status = r.get("status").asText();
            assertThat(status).as("%s: %s", name, r).isIn("success", "cancelled", "skipped");
            if (status.equals("cancelled")) {
              assertThat(r.get("error").asText())
                  .as(r.toString())
                  .isEqualTo("interrupted by shutdown");
              assertThat(stopped)
                  .as("the instance of %s", r)
                  .contains(r.get("instance_id").asText());
              assertThat(runs.subList(0, i))
                  .as("%s: a resume after %s", name, r)
                  .anyMatch(x -> x.get("trigger").asText().equals("resume"));
            }
          }
          if (!runs.isEmpty()) {
            assertThat(runs.get(0).get("status").asText())
                .as("%s: the newest run %s", name, runs.get(0))
                .isIn("success", "skipped");
          }
        });
  }

  /** The mirror of every job that succeeded matches its source folder. */
  void checkMirrors(Path shared, Map<String, List<JsonNode>> all) {
    all.forEach(
        (job, runs) -> {
          if (runs.stream().anyMatch(r -> r.get("status").asText().equals("success"))) {
            String name = names.get(job);
            Path dest = shared.resolve(name);
            assertThat(MirrorDir.tree(MirrorDir.current(dest).orElseThrow()))
                .as(name)
                .isEqualTo(source.tree("/" + name + "/"));
            assertThat(MirrorDir.leftovers(dest)).as(name).isEmpty();
          }
        });
  }

  static long count(Map<String, List<JsonNode>> all, String status) {
    return all.values().stream()
        .flatMap(List::stream)
        .filter(r -> r.get("status").asText().equals(status))
        .count();
  }
}
