package dev.syncjobs.app.web;

import static dev.syncjobs.app.web.TestServer.jobJson;
import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.app.testing.PostgresSchema;
import dev.syncjobs.core.model.BandwidthSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two servers on one PostgreSQL schema share their settings: a bandwidth change on one is in force
 * on the other within a second, and the manual-run rate limit holds across both.
 */
class SharedSettingsClusterTest {
  @TempDir Path tmp;
  PostgresSchema schema;
  TestServer a;
  TestServer b;

  @BeforeEach
  void start() throws Exception {
    schema = PostgresSchema.create("SharedSettingsClusterTest", "t_settings");
    Map<String, String> env = schema.clusterEnv(tmp);
    env.put("SYNCJOBS_MANUAL_RUN_INTERVAL_SECONDS", "60");
    env.put("SYNCJOBS_INSTANCE_ID", "instance-a");
    a = new TestServer(Files.createDirectories(tmp.resolve("a")), Map.copyOf(env));
    env.put("SYNCJOBS_INSTANCE_ID", "instance-b");
    b = new TestServer(Files.createDirectories(tmp.resolve("b")), Map.copyOf(env));
  }

  @AfterEach
  void stop() throws Exception {
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
    if (schema != null) {
      schema.close();
    }
  }

  @Test
  void a_bandwidth_change_on_one_instance_is_in_force_on_the_other_within_a_second() {
    for (long limit : new long[] {5_000_000, 123_456}) {
      TestServer.Response put =
          a.send(
              "PUT",
              "/api/v1/sync/bandwidth/limit",
              TestServer.ADMIN,
              "{\"upload_speed_limit\":1000,\"download_speed_limit\":" + limit + "}",
              null);
      assertThat(put.status()).as(put.body()).isEqualTo(200);
      long saved = System.nanoTime();
      TestServer.await(
          "instance b to apply " + limit + " B/s",
          Duration.ofSeconds(5),
          () ->
              Long.valueOf(limit)
                  .equals(b.server.runtime().bandwidth().settings().downloadLimit()));
      Duration took = Duration.ofNanos(System.nanoTime() - saved);
      assertThat(took).as("the change reached b in").isLessThan(Duration.ofSeconds(1));
      assertThat(b.server.runtime().bandwidth().settings())
          .isEqualTo(new BandwidthSettings(1000L, limit, false, 0, 0));
      assertThat(b.get("/api/v1/sync/bandwidth/limit").data().get("download_speed_limit").asLong())
          .isEqualTo(limit);
    }
  }

  @Test
  void a_manual_run_is_granted_once_across_instances_racing_and_after_the_run_ends()
      throws Exception {
    Path src = TestServer.sourceTree(tmp.resolve("src"), 1, 100);
    String job = a.createJob(jobJson("shared-limit", src, "shared-limit", ""));
    String path = "/api/v1/storage/sync-jobs/" + job + "/run";
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<TestServer.Response>> posts = new ArrayList<>();
    for (TestServer s : List.of(a, b, a, b)) {
      posts.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
                return s.post(path, null);
              }));
    }
    go.countDown();
    List<Integer> statuses = new ArrayList<>();
    String run = null;
    for (CompletableFuture<TestServer.Response> f : posts) {
      TestServer.Response r = f.get();
      statuses.add(r.status());
      if (r.status() == 202) {
        run = r.data().get("id").asText();
      }
    }
    assertThat(statuses).containsOnly(202, 429);
    assertThat(statuses.stream().filter(s -> s == 202)).hasSize(1);

    a.awaitRunEnd(job, run, Duration.ofSeconds(30));
    for (TestServer s : List.of(a, b)) {
      TestServer.Response again = s.post(path, null);
      assertThat(again.status()).as(again.body()).isEqualTo(429);
      assertThat(Long.parseLong(again.raw().headers().firstValue("Retry-After").orElseThrow()))
          .isBetween(1L, 60L);
    }
  }
}
