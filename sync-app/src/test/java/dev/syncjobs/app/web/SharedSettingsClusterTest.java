package dev.syncjobs.app.web;

import static dev.syncjobs.app.web.TestServer.jobJson;
import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.core.model.BandwidthSettings;
import dev.syncjobs.core.model.StorageBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two servers on one PostgreSQL schema share their settings: a bandwidth change on one is in force
 * on the other within a second, and the manual-run rate limit holds across both.
 */
class SharedSettingsClusterTest {
  @TempDir Path tmp;
  String schema;
  TestServer a;
  TestServer b;

  @BeforeEach
  void start() throws Exception {
    requirePostgres();
    schema = "t_settings_" + UUID.randomUUID().toString().substring(0, 8);
    ClusterServerTest.sql("CREATE SCHEMA " + schema);
    Path shared = Files.createDirectories(tmp.resolve("shared"));
    Files.createFile(shared.resolve(StorageBackend.MARKER));
    Map<String, String> env = new HashMap<>();
    env.put(
        "SYNCJOBS_DB_URL",
        ClusterServerTest.URL
            + "?currentSchema="
            + schema
            + "&user="
            + ClusterServerTest.USER
            + "&password="
            + ClusterServerTest.PASSWORD);
    env.put("SYNCJOBS_BACKENDS", "default=" + shared);
    env.put("SYNCJOBS_SECRET_KEY_FILE", tmp.resolve("cluster-secret.key").toString());
    env.put("SYNCJOBS_LOCAL_SOURCE_ROOTS", tmp.toString());
    env.put("SYNCJOBS_MANUAL_RUN_INTERVAL_SECONDS", "60");
    env.put("SYNCJOBS_INSTANCE_ID", "instance-a");
    a = new TestServer(Files.createDirectories(tmp.resolve("a")), env);
    env.put("SYNCJOBS_INSTANCE_ID", "instance-b");
    b = new TestServer(Files.createDirectories(tmp.resolve("b")), env);
  }

  static void requirePostgres() {
    try (Connection c =
        DriverManager.getConnection(
            ClusterServerTest.URL, ClusterServerTest.USER, ClusterServerTest.PASSWORD)) {
      c.isValid(5);
    } catch (SQLException e) {
      String msg = "SharedSettingsClusterTest needs PostgreSQL (.ci/setup-postgres.sh): " + e;
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError(msg);
      }
      System.err.println("SKIPPED: " + msg);
      Assumptions.abort(msg);
    }
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
      ClusterServerTest.sql("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
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
