package dev.syncjobs.app.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server in its own JVM mirroring sources that misbehave: one stalls in the middle of a file, one
 * resets the connection twice, one announces a longer Content-Length than it sends. The three runs
 * go on at once (the stall costs the server's 60 s I/O timeout). A run either retries and publishes
 * the source's exact bytes, or fails naming the file and leaves {@code current} as it was: no short
 * file is ever published.
 */
@Tag("faults")
class FaultySourceTest {
  static final int SIZE = 2_000_000;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path tmp;

  @Test
  void stalls_and_resets_are_retried_and_a_wrong_content_length_fails_naming_the_file()
      throws Exception {
    try (SourceServer source = new SourceServer();
        ServerProcess server = new ServerProcess("faulty", tmp, Map.of())) {
      Random random = new Random(3);
      for (String folder : new String[] {"/stall/", "/reset/", "/wrong/", "/short/"}) {
        source.put(folder + "big.bin", bytes(random, SIZE), Instant.EPOCH);
        source.put(folder + "small.txt", bytes(random, 1000), Instant.EPOCH);
      }
      server.start();
      String stall = server.createJob(ServerProcess.httpJob("stall", source.url("/stall/"), ""));
      String reset = server.createJob(ServerProcess.httpJob("reset", source.url("/reset/"), ""));
      String wrong = server.createJob(ServerProcess.httpJob("wrong", source.url("/wrong/"), ""));
      String cut = server.createJob(ServerProcess.httpJob("short", source.url("/short/"), ""));
      Path storage = server.dataDir.resolve("storage");

      JsonNode first = end(server, wrong, server.trigger(wrong));
      assertThat(first.get("status").asText()).as(first.toString()).isEqualTo("success");
      Map<String, String> published = source.tree("/wrong/");
      source.put("/wrong/big.bin", bytes(random, SIZE), Instant.EPOCH.plusSeconds(60));
      source.wrongContentLength("/wrong/big.bin", 1000);
      source.wrongContentLength("/short/big.bin", -1000);
      source.fault("/stall/big.bin", new SourceServer.StallAfter(500_000));
      source.fault(
          "/reset/big.bin",
          new SourceServer.ResetAfter(700_000),
          new SourceServer.ResetAfter(300_000));

      String stallRun = server.trigger(stall);
      String resetRun = server.trigger(reset);
      String wrongRun = server.trigger(wrong);
      String cutRun = server.trigger(cut);

      JsonNode failed = end(server, wrong, wrongRun);
      assertThat(failed.get("status").asText()).as(failed.toString()).isEqualTo("failed");
      assertThat(failed.get("error").asText()).contains("big.bin");
      Path wrongDest = storage.resolve("wrong");
      assertThat(MirrorDir.versions(wrongDest)).hasSize(1);
      assertThat(MirrorDir.tree(MirrorDir.current(wrongDest).orElseThrow())).isEqualTo(published);

      JsonNode cutShort = end(server, cut, cutRun);
      assertThat(cutShort.get("status").asText()).as(cutShort.toString()).isEqualTo("failed");
      assertThat(cutShort.get("error").asText()).contains("big.bin");
      assertThat(MirrorDir.versions(storage.resolve("short"))).isEmpty();

      JsonNode reset2 = end(server, reset, resetRun);
      assertThat(reset2.get("status").asText()).as(reset2.toString()).isEqualTo("success");
      assertThat(MirrorDir.tree(MirrorDir.current(storage.resolve("reset")).orElseThrow()))
          .isEqualTo(source.tree("/reset/"));

      JsonNode stalled = end(server, stall, stallRun);
      assertThat(stalled.get("status").asText()).as(stalled.toString()).isEqualTo("success");
      assertThat(MirrorDir.tree(MirrorDir.current(storage.resolve("stall")).orElseThrow()))
          .isEqualTo(source.tree("/stall/"));
      assertThat(server.text("/api/v1/storage/sync-jobs/" + stall + "/runs/" + stallRun + "/log"))
          .contains("retrying big.bin at byte")
          .contains("(stalled)");
      assertThat(server.text("/api/v1/storage/sync-jobs/" + reset + "/runs/" + resetRun + "/log"))
          .contains("retrying big.bin at byte");
      for (String name : new String[] {"stall", "reset"}) {
        assertThat(MirrorDir.leftovers(storage.resolve(name))).as(name).isEmpty();
      }
    }
  }

  private static byte[] bytes(Random random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private static JsonNode end(ServerProcess server, String job, String run) {
    JsonNode[] r = {null};
    Await.until(
        "run " + run + " to end",
        Duration.ofSeconds(150),
        () -> !ServerProcess.active(r[0] = server.run(job, run)));
    return r[0];
  }
}
