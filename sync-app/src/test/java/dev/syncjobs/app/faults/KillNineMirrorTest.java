package dev.syncjobs.app.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real HTTP mirror run 50 times by a server in its own JVM, which is killed with SIGKILL at
 * random moments (while the run is pending, transferring, verifying, publishing, or idle) and
 * started again. The moments come from a seeded {@link Random}: the seed is printed and {@code
 * -Dfaults.seed=N} replays the same sequence of source changes and kill points ({@code
 * -Dfaults.runs=N} changes the number of runs).
 */
@Tag("faults")
class KillNineMirrorTest {
  static final long DEFAULT_SEED = 20261204L;
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path tmp;

  final List<Map<String, String>> sourceStates = new ArrayList<>();
  SourceServer source;
  Random random;
  int change;

  @Test
  void after_every_kill_runs_end_terminal_and_current_is_always_a_complete_source_state()
      throws Exception {
    long seed = Long.getLong("faults.seed", DEFAULT_SEED);
    int runs = Integer.getInteger("faults.runs", 50);
    System.err.println(
        "KillNineMirrorTest: seed " + seed + " (replay with -Dfaults.seed=" + seed + ")");
    random = new Random(seed);
    long t0 = System.nanoTime();
    int kills = 0;
    int resumed = 0;
    Map<String, Integer> afterKill = new TreeMap<>();
    int resumesKilled = 0;
    try (SourceServer src = new SourceServer();
        ServerProcess server = new ServerProcess("kill", tmp, Map.of())) {
      source = src;
      for (int i = 0; i < 12; i++) {
        writeFile((i % 3 == 0 ? "/mirror/sub/" : "/mirror/") + "f" + i + ".bin");
      }
      source.throttle(400_000);
      sourceStates.add(source.tree("/mirror/"));
      server.start();
      String job = server.createJob(ServerProcess.httpJob("mirror", source.url("/mirror/"), ""));
      Path dest = server.dataDir.resolve("storage/mirror");

      for (int round = 1; round <= runs; round++) {
        if (round > 1) {
          changeSource();
        }
        long before = source.bytesServed();
        long changedBytes = changedBytes();
        String run = server.trigger(job);
        boolean kill = random.nextInt(100) < 35;
        if (kill) {
          long threshold = (long) (random.nextDouble() * 1.2 * changedBytes);
          long extraMillis = threshold > changedBytes ? random.nextInt(400) : 0;
          Await.until(
              "the source to serve " + threshold + " bytes of round " + round,
              Duration.ofSeconds(60),
              () ->
                  source.bytesServed() - before >= Math.min(threshold, changedBytes)
                      || !ServerProcess.active(server.run(job, run)));
          if (extraMillis > 0) {
            Thread.sleep(extraMillis);
          }
          server.kill();
          kills++;
          server.start();
          JsonNode killed = server.run(job, run);
          String status = killed.get("status").asText();
          afterKill.merge(status, 1, Integer::sum);
          assertThat(status)
              .as("the killed run after the restart: %s", killed)
              .isIn("pending", "running", "success", "failed");
          if (status.equals("failed")) {
            assertThat(killed.get("error").asText()).contains("interrupted");
            if (random.nextInt(100) < 40) {
              killDuringResume(server, job, changedBytes);
              kills++;
              resumesKilled++;
            }
          }
        }
        List<JsonNode> history = awaitQuiet(server, job);
        resumed = (int) history.stream().filter(r -> trigger(r).equals("resume")).count();
        try {
          checkRuns(history);
          checkDestination(dest, history, round);
        } catch (AssertionError e) {
          throw new AssertionError(e.getMessage() + "\n" + runLogs(server, job, history), e);
        }
      }

      String last = server.trigger(job);
      JsonNode done = awaitEnd(server, job, last);
      assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("success");
      assertThat(MirrorDir.tree(MirrorDir.current(dest).orElseThrow()))
          .isEqualTo(sourceStates.get(sourceStates.size() - 1));
      assertThat(MirrorDir.leftovers(dest)).isEmpty();
    }
    System.err.printf(
        "KillNineMirrorTest: %d runs, %d kills (the killed run at the restart: %s;"
            + " %d resume runs, %d of them killed too), %d s%n",
        runs, kills, afterKill, resumed, resumesKilled, (System.nanoTime() - t0) / 1_000_000_000L);
    assertThat(kills).as("kills in %d runs", runs).isGreaterThanOrEqualTo(runs / 6);
  }

  /**
   * Kills the server again while the resume run of the killed one goes on (or once it ended), and
   * starts it again: the resume is failed as interrupted and, with no retries, the job's next run
   * reuses the staging data two attempts left, after the source changed.
   */
  private void killDuringResume(ServerProcess server, String job, long changedBytes) {
    long before = source.bytesServed();
    long threshold = (long) (random.nextDouble() * changedBytes / 2);
    Await.until(
        "the resume run to transfer " + threshold + " bytes",
        Duration.ofSeconds(60),
        () ->
            source.bytesServed() - before >= threshold
                || server.history(job).stream().noneMatch(ServerProcess::active));
    server.kill();
    server.start();
  }

  /** The runs and their logs, newest first, written to the test's folder (kept on failure). */
  private String runLogs(ServerProcess server, String job, List<JsonNode> history) {
    StringBuilder sb = new StringBuilder();
    for (JsonNode r : history) {
      sb.append(r).append('\n');
      sb.append(
          server.text(
              "/api/v1/storage/sync-jobs/" + job + "/runs/" + r.get("id").asText() + "/log"));
      sb.append("\n\n");
    }
    try {
      Files.writeString(tmp.resolve("runs.log"), sb);
    } catch (java.io.IOException e) {
      return "(cannot write runs.log: " + e + ")";
    }
    return "runs and their logs: " + tmp.resolve("runs.log");
  }

  private static String trigger(JsonNode run) {
    return run.get("trigger").asText();
  }

  /** Waits until no run of the job is pending or running; returns its history, newest first. */
  private static List<JsonNode> awaitQuiet(ServerProcess server, String job) {
    List<List<JsonNode>> seen = new ArrayList<>();
    Await.until(
        "every run of the job to end",
        Duration.ofSeconds(90),
        () -> {
          List<JsonNode> h = server.history(job);
          seen.add(0, h);
          return h.stream().noneMatch(ServerProcess::active);
        });
    return seen.get(0);
  }

  private static JsonNode awaitEnd(ServerProcess server, String job, String run) {
    JsonNode[] r = {null};
    Await.until(
        "run " + run + " to end",
        Duration.ofSeconds(60),
        () -> !ServerProcess.active(r[0] = server.run(job, run)));
    return r[0];
  }

  /**
   * Every run is terminal; the only failures are interruptions by a kill, and every interrupted run
   * that was not itself a resume is followed by a resume.
   */
  private static void checkRuns(List<JsonNode> history) {
    for (int i = 0; i < history.size(); i++) {
      JsonNode r = history.get(i);
      String status = r.get("status").asText();
      assertThat(status).as(r.toString()).isIn("success", "failed");
      if (status.equals("failed")) {
        assertThat(r.get("error").asText()).as(r.toString()).contains("interrupted");
        if (!trigger(r).equals("resume")) {
          assertThat(i).as("a run follows the interrupted %s", r).isPositive();
          assertThat(trigger(history.get(i - 1)))
              .as("the run after the interrupted %s", r)
              .isEqualTo("resume");
        }
      }
    }
  }

  private void checkDestination(Path dest, List<JsonNode> history, int round) {
    boolean anySuccess = history.stream().anyMatch(r -> r.get("status").asText().equals("success"));
    Optional<Path> current = MirrorDir.current(dest);
    assertThat(current.isPresent())
        .as("current exists after a success (round %d)", round)
        .isEqualTo(anySuccess);
    for (Path version : MirrorDir.versions(dest)) {
      assertThat(sourceStates)
          .as("round %d: version %s holds a state the source had", round, version.getFileName())
          .contains(MirrorDir.tree(version));
    }
    if (current.isPresent()) {
      assertThat(MirrorDir.versions(dest))
          .as("round %d: current names a version", round)
          .contains(current.get());
    }
    if (history.get(0).get("status").asText().equals("success")) {
      assertThat(MirrorDir.tree(current.orElseThrow()))
          .as("round %d: after a success current is the source as it is", round)
          .isEqualTo(sourceStates.get(sourceStates.size() - 1));
      assertThat(MirrorDir.leftovers(dest))
          .as("round %d: staging and temporary data after a success", round)
          .isEmpty();
    }
  }

  /** Changes one to three files, and now and then adds or removes one. */
  private void changeSource() {
    change++;
    List<String> paths = new ArrayList<>(source.tree("/mirror/").keySet());
    int n = 1 + random.nextInt(3);
    for (int i = 0; i < n; i++) {
      writeFile("/mirror/" + paths.get(random.nextInt(paths.size())));
    }
    int dice = random.nextInt(10);
    if (dice == 0) {
      writeFile("/mirror/sub/new" + change + ".bin");
    } else if (dice == 1 && paths.size() > 8) {
      source.remove("/mirror/" + paths.get(random.nextInt(paths.size())));
    }
    sourceStates.add(source.tree("/mirror/"));
  }

  /** Bytes that differ between the last two source states (what a run has to download). */
  private long changedBytes() {
    if (sourceStates.size() < 2) {
      return sizes.values().stream().mapToLong(Integer::longValue).sum();
    }
    Map<String, String> was = sourceStates.get(sourceStates.size() - 2);
    Map<String, String> now = sourceStates.get(sourceStates.size() - 1);
    long sum = 0;
    for (var e : now.entrySet()) {
      if (!e.getValue().equals(was.get(e.getKey()))) {
        sum += sizes.get(e.getKey());
      }
    }
    return sum;
  }

  private final Map<String, Integer> sizes = new TreeMap<>();

  /**
   * New content and a new modification time (a later minute each time) for a file; half the time
   * with the length it had, so only the time tells the change.
   */
  private void writeFile(String path) {
    Integer had = sizes.get(path.substring("/mirror/".length()));
    byte[] data =
        new byte[had != null && random.nextBoolean() ? had : 20_000 + random.nextInt(180_000)];
    random.nextBytes(data);
    source.put(path, data, T0.plusSeconds(60L * ++change));
    sizes.put(path.substring("/mirror/".length()), data.length);
  }
}
