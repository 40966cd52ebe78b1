package dev.syncjobs.app.web;

import static dev.syncjobs.app.web.UploadClient.random;
import static dev.syncjobs.app.web.UploadClient.sha256;
import static dev.syncjobs.app.web.UploadClient.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.app.config.ServerConfig;
import dev.syncjobs.app.metrics.PrometheusText;
import dev.syncjobs.app.wiring.DaggerServerComponent;
import dev.syncjobs.core.memory.SettableClock;
import dev.syncjobs.core.model.Upload;
import dev.syncjobs.core.testing.Await;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chunked upload routes on a real server over SQLite, on loopback. */
class UploadsApiTest {
  static final int CHUNK = Upload.MIN_CHUNK_SIZE;
  @TempDir Path tmp;
  SyncServer server;
  SettableClock clock = new SettableClock(Instant.parse("2026-11-23T10:00:00Z"));
  UploadClient admin;

  SyncServer start(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>();
    env.put("SYNCJOBS_DATA_DIR", tmp.resolve("data").toString());
    env.put("SYNCJOBS_PORT", "0");
    env.put("SYNCJOBS_ADMIN_TOKEN", TestServer.ADMIN);
    env.put("SYNCJOBS_VIEWER_TOKEN", TestServer.VIEWER);
    env.put("SYNCJOBS_TIMEZONE", "UTC");
    env.putAll(extra);
    server = DaggerServerComponent.factory().create(ServerConfig.load(env), clock).server().start();
    admin = new UploadClient(server.port(), TestServer.ADMIN);
    return server;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  Path storage() {
    return tmp.resolve("data").resolve("storage");
  }

  Path uploadsFolder() {
    return storage().resolve(".syncjobs-uploads");
  }

  @Test
  void chunks_sent_out_of_order_and_in_parallel_make_the_file_at_its_target() throws Exception {
    start(Map.of());
    byte[] file = random(7 * CHUNK + 1234, 1);
    String id = admin.started("isos/disc one.iso", file.length, CHUNK, sha256(file));
    List<Integer> order = new ArrayList<>(List.of(7, 3, 0, 5, 1, 6, 2, 4));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<UploadClient.Response>> sent = new ArrayList<>();
      for (int n : order) {
        int from = n * CHUNK;
        byte[] part = slice(file, from, Math.min(CHUNK, file.length - from));
        sent.add(pool.submit(() -> admin.chunk(id, n, part)));
      }
      for (Future<UploadClient.Response> f : sent) {
        UploadClient.Response r = f.get();
        assertThat(r.status()).as(r.text()).isEqualTo(200);
      }
    } finally {
      pool.shutdownNow();
    }

    Path target = storage().resolve("isos/disc one.iso");
    assertThat(sha256(Files.readAllBytes(target))).isEqualTo(sha256(file));
    UploadClient.Response p = admin.progress(id);
    assertThat(p.data().get("status").asText()).isEqualTo("completed");
    assertThat(p.data().get("completed_chunks").asInt()).isEqualTo(8);
    assertThat(p.data().get("missing_chunks")).isEmpty();
    assertThat(p.data().get("uploaded_bytes").asLong()).isEqualTo(file.length);
    try (Stream<Path> left = Files.list(uploadsFolder())) {
      assertThat(left).isEmpty();
    }
    assertThat(
            PrometheusText.parse(admin.send("GET", "/metrics", null, Map.of()).text())
                .value("syncjobs_upload_bytes_total"))
        .isEqualTo(file.length);
  }

  @Test
  void chunks_take_from_the_upload_speed_limit_of_the_bandwidth_settings() throws Exception {
    start(Map.of());
    UploadClient.Response put =
        admin.send(
            "PUT",
            "/api/v1/sync/bandwidth/limit",
            "{\"upload_speed_limit\":262144,\"download_speed_limit\":null}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8),
            Map.of("Content-Type", "application/json"));
    assertThat(put.status()).as(put.text()).isEqualTo(200);
    byte[] file = random(4 * CHUNK, 9);
    String id = admin.started("paced.bin", file.length, CHUNK, sha256(file));
    long t0 = System.nanoTime();
    for (int n = 0; n < 4; n++) {
      UploadClient.Response r = admin.chunk(id, n, slice(file, n * CHUNK, CHUNK));
      assertThat(r.status()).as(r.text()).isEqualTo(200);
    }
    // 1 MiB at 256 KiB/s: the bucket's first second is free, the rest waits about 3 s; without
    // the limit the four chunks take milliseconds on loopback
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThan(Duration.ofMillis(2500));
    assertThat(sha256(Files.readAllBytes(storage().resolve("paced.bin")))).isEqualTo(sha256(file));
  }

  @Test
  void the_default_chunk_is_5_mib_and_passes_the_small_body_limit() {
    start(Map.of());
    byte[] file = random(Upload.DEFAULT_CHUNK_SIZE + 10, 2);
    UploadClient.Response s =
        admin.start("{\"file_path\":\"big.bin\",\"total_size\":" + file.length + "}");
    assertThat(s.status()).as(s.text()).isEqualTo(201);
    assertThat(s.data().get("chunk_size").asInt()).isEqualTo(Upload.DEFAULT_CHUNK_SIZE);
    assertThat(s.data().get("total_chunks").asInt()).isEqualTo(2);
    assertThat(s.data().get("expires_at").asText()).isEqualTo("2026-11-30T10:00:00Z");
    String id = s.data().get("upload_id").asText();

    assertThat(admin.chunk(id, 0, slice(file, 0, Upload.DEFAULT_CHUNK_SIZE)).status())
        .isEqualTo(200);
    UploadClient.Response last = admin.chunk(id, 1, slice(file, Upload.DEFAULT_CHUNK_SIZE, 10));
    assertThat(last.status()).as(last.text()).isEqualTo(200);
    assertThat(last.data().get("progress_percent").asDouble()).isEqualTo(100.0);
    assertThat(last.data().get("status").asText()).isEqualTo("completed");
  }

  @Test
  void a_chunk_sent_again_is_stored_once_and_another_hash_for_it_is_a_conflict() throws Exception {
    start(Map.of());
    byte[] file = random(3 * CHUNK, 3);
    String id = admin.started("dup.bin", file.length, CHUNK, null);
    byte[] first = slice(file, 0, CHUNK);
    assertThat(admin.chunk(id, 0, first).status()).isEqualTo(200);
    Path data = uploadsFolder().resolve(id + ".data");
    var modified = Files.getLastModifiedTime(data);

    UploadClient.Response again = admin.chunk(id, 0, first);
    assertThat(again.status()).as(again.text()).isEqualTo(200);
    assertThat(again.data().get("completed_chunks").asInt()).isEqualTo(1);
    assertThat(Files.getLastModifiedTime(data)).isEqualTo(modified);

    UploadClient.Response other = admin.chunk(id, 0, slice(file, CHUNK, CHUNK));
    assertThat(other.status()).as(other.text()).isEqualTo(409);
    assertThat(other.errorField()).isEqualTo("X-Chunk-SHA256");
    assertThat(admin.progress(id).data().get("completed_chunks").asInt()).isEqualTo(1);
  }

  @Test
  void a_chunk_whose_hash_does_not_match_is_refused_and_nothing_is_recorded() {
    start(Map.of());
    byte[] file = random(2 * CHUNK, 4);
    String id = admin.started("wrong.bin", file.length, CHUNK, null);
    byte[] chunk = slice(file, 0, CHUNK);

    UploadClient.Response wrong = admin.chunk(id, 0, chunk, sha256(new byte[] {1}));
    assertThat(wrong.status()).isEqualTo(400);
    assertThat(wrong.header("Content-Type")).startsWith("application/problem+json");
    assertThat(wrong.errorField()).isEqualTo("X-Chunk-SHA256");
    assertThat(admin.progress(id).data().get("completed_chunks").asInt()).isZero();

    String digest =
        "sha-256=:"
            + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256(chunk)))
            + ":";
    UploadClient.Response viaDigest =
        admin.send(
            "POST",
            "/api/v1/sync/upload/" + id + "/chunk/0",
            chunk,
            Map.of("Content-Digest", digest));
    assertThat(viaDigest.status()).as(viaDigest.text()).isEqualTo(200);
    UploadClient.Response badDigest =
        admin.send(
            "POST",
            "/api/v1/sync/upload/" + id + "/chunk/1",
            slice(file, CHUNK, CHUNK),
            Map.of("Content-Digest", digest));
    assertThat(badDigest.status()).isEqualTo(400);
    assertThat(badDigest.errorField()).isEqualTo("Content-Digest");
    UploadClient.Response none =
        admin.send("POST", "/api/v1/sync/upload/" + id + "/chunk/1", chunk, Map.of());
    assertThat(none.status()).isEqualTo(400);
    assertThat(none.errorField()).isEqualTo("X-Chunk-SHA256");
  }

  @Test
  void a_wrong_chunk_number_or_size_is_refused_naming_it() {
    start(Map.of());
    byte[] file = random(2 * CHUNK + 100, 5);
    String id = admin.started("sizes.bin", file.length, CHUNK, null);

    assertThat(admin.chunk(id, 3, slice(file, 0, 100)).errorField()).isEqualTo("chunk_number");
    assertThat(admin.chunk(id, -1, slice(file, 0, 100)).errorField()).isEqualTo("chunk_number");
    UploadClient.Response word =
        admin.send("POST", "/api/v1/sync/upload/" + id + "/chunk/two", file, Map.of());
    assertThat(word.status()).isEqualTo(400);
    assertThat(word.errorField()).isEqualTo("chunk_number");
    UploadClient.Response shortChunk = admin.chunk(id, 0, slice(file, 0, CHUNK - 1));
    assertThat(shortChunk.status()).isEqualTo(400);
    assertThat(shortChunk.errorField()).isEqualTo("Content-Length");
    UploadClient.Response longLast = admin.chunk(id, 2, slice(file, 0, 101));
    assertThat(longLast.status()).isEqualTo(400);
    assertThat(longLast.errorField()).isEqualTo("Content-Length");
    assertThat(admin.progress(id).data().get("completed_chunks").asInt()).isZero();

    assertThat(
            admin.start("{\"file_path\":\"a\",\"total_size\":10,\"chunk_size\":1000}").errorField())
        .isEqualTo("chunk_size");
    assertThat(
            admin
                .start("{\"file_path\":\"a\",\"total_size\":10,\"chunk_size\":" + (200 << 20) + "}")
                .errorField())
        .isEqualTo("chunk_size");
    assertThat(admin.start("{\"file_path\":\"a\"}").errorField()).isEqualTo("total_size");
    assertThat(
            admin.start("{\"file_path\":\"a\",\"total_size\":1,\"sha256\":\"xyz\"}").errorField())
        .isEqualTo("sha256");
    assertThat(
            admin
                .start("{\"backend_id\":\"nope\",\"file_path\":\"a\",\"total_size\":1}")
                .errorField())
        .isEqualTo("backend_id");
    assertThat(admin.progress("0f0e0d0c-0000-4000-8000-000000000000").status()).isEqualTo(404);
    assertThat(admin.progress("not-a-uuid").errorField()).isEqualTo("upload_id");
  }

  @Test
  void a_whole_file_hash_that_does_not_match_fails_the_upload_and_places_nothing() {
    start(Map.of());
    byte[] file = random(CHUNK, 6);
    String id = admin.started("bad-sum.bin", file.length, CHUNK, "0".repeat(64));

    UploadClient.Response last = admin.chunk(id, 0, file);

    assertThat(last.status()).isEqualTo(400);
    assertThat(last.errorField()).isEqualTo("sha256");
    assertThat(storage().resolve("bad-sum.bin")).doesNotExist();
    assertThat(admin.progress(id).data().get("status").asText()).isEqualTo("failed");
  }

  @Test
  void cancel_removes_the_upload_and_its_data() {
    start(Map.of());
    byte[] file = random(2 * CHUNK, 7);
    String id = admin.started("cancel.bin", file.length, CHUNK, null);
    admin.chunk(id, 0, slice(file, 0, CHUNK));
    Path data = uploadsFolder().resolve(id + ".data");
    assertThat(data).exists();

    assertThat(admin.send("DELETE", "/api/v1/sync/upload/" + id, null, Map.of()).status())
        .isEqualTo(204);

    assertThat(data).doesNotExist();
    assertThat(admin.progress(id).status()).isEqualTo(404);
    assertThat(admin.chunk(id, 1, slice(file, CHUNK, CHUNK)).status()).isEqualTo(404);
    assertThat(admin.send("DELETE", "/api/v1/sync/upload/" + id, null, Map.of()).status())
        .isEqualTo(404);
  }

  @Test
  void resume_reports_the_first_missing_chunk_and_moves_the_expiry_on() {
    start(Map.of());
    byte[] file = random(3 * CHUNK, 8);
    String id = admin.started("resume.bin", file.length, CHUNK, null);
    admin.chunk(id, 0, slice(file, 0, CHUNK));
    admin.chunk(id, 2, slice(file, 2 * CHUNK, CHUNK));
    clock.advance(Duration.ofHours(5));

    UploadClient.Response r =
        admin.send("POST", "/api/v1/sync/upload/" + id + "/resume", null, Map.of());

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.data().get("resume_from_chunk").asInt()).isEqualTo(1);
    assertThat(r.data().get("missing_chunks").toString()).isEqualTo("[1]");
    assertThat(r.data().get("uploaded_bytes").asLong()).isEqualTo(2L * CHUNK);
    assertThat(r.data().get("expires_at").asText()).isEqualTo("2026-11-30T15:00:00Z");
  }

  @Test
  void the_daily_clean_up_removes_uploads_idle_past_their_expiry_once_per_day() throws Exception {
    start(Map.of("SYNCJOBS_UPLOAD_EXPIRY_HOURS", "24"));
    byte[] file = random(2 * CHUNK, 9);
    String idle = admin.started("idle.bin", file.length, CHUNK, null);
    admin.chunk(idle, 0, slice(file, 0, CHUNK));
    String done = admin.started("done.bin", CHUNK, CHUNK, null);
    admin.chunk(done, 0, slice(file, 0, CHUNK));
    clock.advance(Duration.ofHours(20));
    String active = admin.started("active.bin", file.length, CHUNK, null);
    Path orphan = uploadsFolder().resolve("0f0e0d0c-0000-4000-8000-000000000001.data");
    Files.write(orphan, new byte[10]);
    Files.setLastModifiedTime(
        orphan, java.nio.file.attribute.FileTime.from(Instant.parse("2026-11-20T00:00:00Z")));
    var cleanup = server.uploads().cleanup();
    List<String> log = new ArrayList<>();

    clock.set(Instant.parse("2026-11-24T02:59:00Z"));
    assertThat(cleanup.runIfDue(ZoneOffset.UTC, SyncServer.UPLOAD_CLEANUP_AT, log::add))
        .isEqualTo(-1);
    clock.set(Instant.parse("2026-11-24T11:00:00Z"));
    assertThat(cleanup.runIfDue(ZoneOffset.UTC, SyncServer.UPLOAD_CLEANUP_AT, log::add))
        .isEqualTo(3);
    assertThat(orphan).doesNotExist();
    assertThat(cleanup.runIfDue(ZoneOffset.UTC, SyncServer.UPLOAD_CLEANUP_AT, log::add))
        .isEqualTo(-1);

    assertThat(admin.progress(idle).status()).isEqualTo(404);
    assertThat(uploadsFolder().resolve(idle + ".data")).doesNotExist();
    assertThat(admin.progress(done).status()).isEqualTo(404);
    assertThat(storage().resolve("done.bin")).exists();
    assertThat(admin.progress(active).status()).isEqualTo(200);
    assertThat(uploadsFolder().resolve(active + ".data")).exists();
    assertThat(log).hasSize(1);
  }

  @Test
  void a_file_path_that_leaves_the_backend_or_uses_a_link_is_refused_and_nothing_is_written()
      throws Exception {
    start(Map.of());
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.createSymbolicLink(storage().resolve("escape"), outside);
    Files.writeString(storage().resolve("plain-file"), "x");
    for (String path :
        List.of(
            "../outside/x.bin",
            "/../../outside/x.bin",
            "a/../../outside/x.bin",
            "..",
            ".syncjobs-uploads/x.data",
            ".syncjobs-backend",
            "escape/x.bin",
            "plain-file/x.bin",
            "a\\u0000b",
            "bad\\nname")) {
      UploadClient.Response r = admin.start("{\"file_path\":\"" + path + "\",\"total_size\":10}");
      assertThat(r.status()).as(path + ": " + r.text()).isEqualTo(400);
      assertThat(r.errorField()).as(path).isEqualTo("file_path");
    }
    try (Stream<Path> written = Files.list(outside)) {
      assertThat(written).isEmpty();
    }
    assertThat(storage().resolve("a")).doesNotExist();

    admin.started("taken.bin", 1, CHUNK, null);
    Files.writeString(storage().resolve("exists.bin"), "x");
    UploadClient.Response exists = admin.start("{\"file_path\":\"exists.bin\",\"total_size\":10}");
    assertThat(exists.status()).isEqualTo(409);
    assertThat(exists.errorField()).isEqualTo("file_path");
  }

  @Test
  void a_file_larger_than_the_backend_is_413_and_the_viewer_may_only_read() {
    start(Map.of());
    UploadClient.Response huge =
        admin.start("{\"file_path\":\"huge.bin\",\"total_size\":" + (1L << 60) + "}");
    assertThat(huge.status()).as(huge.text()).isEqualTo(413);
    assertThat(huge.errorField()).isEqualTo("total_size");

    String id = admin.started("mine.bin", 10, CHUNK, null);
    UploadClient viewer = new UploadClient(server.port(), TestServer.VIEWER);
    assertThat(viewer.start("{\"file_path\":\"v.bin\",\"total_size\":10}").status()).isEqualTo(403);
    assertThat(viewer.chunk(id, 0, new byte[10]).status()).isEqualTo(403);
    assertThat(viewer.progress(id).status()).isEqualTo(200);
    assertThat(new UploadClient(server.port(), null).progress(id).status()).isEqualTo(401);
  }

  @Test
  void beyond_the_concurrent_upload_limit_a_chunk_is_429_and_a_stalled_chunk_is_taken_over()
      throws Exception {
    start(Map.of("SYNCJOBS_MAX_CONCURRENT_UPLOADS", "1"));
    byte[] file = random(2 * CHUNK, 10);
    String first = admin.started("first.bin", file.length, CHUNK, null);
    String second = admin.started("second.bin", file.length, CHUNK, null);
    byte[] chunk = slice(file, 0, CHUNK);

    try (Socket stalled = stalledHoldingTheSlot(first, second, chunk)) {
      UploadClient.Response limited = admin.chunk(second, 0, chunk);
      assertThat(limited.header("Retry-After")).isNotNull();

      long t0 = System.nanoTime();
      UploadClient.Response newer = admin.chunk(first, 0, chunk);
      assertThat(newer.status()).as(newer.text()).isEqualTo(200);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
      assertThat(stalled.isClosed()).isFalse();
    }
    assertThat(admin.progress(first).data().get("completed_chunks").asInt()).isEqualTo(1);
    Await.until(
        "the slot to be free again",
        Duration.ofSeconds(10),
        () -> admin.chunk(second, 0, chunk).status() == 200);
    assertThat(
            new String(
                    Files.readAllBytes(uploadsFolder().resolve(first + ".data")),
                    StandardCharsets.ISO_8859_1)
                .length())
        .isEqualTo(2 * CHUNK);
  }

  @Test
  void a_chunk_still_arriving_when_the_server_stops_does_not_keep_it_from_closing()
      throws Exception {
    start(Map.of());
    byte[] chunk = random(CHUNK, 11);
    String id = admin.started("late.bin", CHUNK, CHUNK, null);
    try (Socket stalled =
        admin.stalled(
            "POST",
            "/api/v1/sync/upload/" + id + "/chunk/7",
            Map.of("X-Chunk-SHA256", sha256(chunk)),
            CHUNK,
            slice(chunk, 0, CHUNK / 2))) {
      // answered (no chunk 7) before its body is read: the rest is still awaited when it stops
      Thread.sleep(300);

      // whether or not the web server stops within its grace period, the engine and the
      // database close, and the data folder can be served again
      server.close();
    }
    start(Map.of());
    assertThat(admin.progress(id).data().get("completed_chunks").asInt()).isZero();
  }

  /**
   * Sends half of chunk 0 of {@code first} and stops, then probes {@code second} until it is 429. A
   * probe with a wrong hash never completes the chunk; should a probe be dispatched before the
   * stalled request, the stalled one is the one refused (429, answered on its socket), and the
   * stalled request is sent again.
   */
  private Socket stalledHoldingTheSlot(String first, String second, byte[] chunk) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      Socket stalled =
          admin.stalled(
              "POST",
              "/api/v1/sync/upload/" + first + "/chunk/0",
              Map.of("X-Chunk-SHA256", sha256(chunk)),
              CHUNK,
              slice(chunk, 0, CHUNK / 2));
      stalled.setSoTimeout(1);
      while (System.nanoTime() < deadline) {
        if (admin.chunk(second, 0, chunk, "0".repeat(64)).status() == 429) {
          return stalled;
        }
        if (answered(stalled)) {
          break;
        }
      }
      stalled.close();
    }
    throw new AssertionError("no stalled chunk came to hold the only upload slot in 30 s");
  }

  private static boolean answered(Socket s) throws java.io.IOException {
    try {
      s.getInputStream().read();
      return true;
    } catch (java.net.SocketTimeoutException notYet) {
      return false;
    }
  }
}
