package dev.syncjobs.app.web;

import static dev.syncjobs.app.web.UploadClient.random;
import static dev.syncjobs.app.web.UploadClient.sha256;
import static dev.syncjobs.app.web.UploadClient.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.syncjobs.app.config.ServerConfig;
import dev.syncjobs.app.testing.PostgresSchema;
import dev.syncjobs.app.wiring.ServerComponent;
import dev.syncjobs.core.testing.Await;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two servers on one PostgreSQL schema and one shared backend receive the same chunk (or PATCHes of
 * the same tus upload) at once: one writer at a time across the instances, the newer request makes
 * a stalled older one on the other instance let go, both answer in bounded time, and what is
 * recorded is what the data file holds.
 */
class ClusterUploadTest {
  private static final int CHUNK = 256 * 1024;

  @TempDir Path tmp;
  PostgresSchema schema;
  Path shared;
  SyncServer a;
  SyncServer b;
  UploadClient onA;
  UploadClient onB;

  @BeforeEach
  void start() throws Exception {
    schema = PostgresSchema.create("ClusterUploadTest", "t_upload");
    shared = tmp.resolve("shared");
    a = server("a");
    b = server("b");
    onA = new UploadClient(a.port(), TestServer.ADMIN);
    onB = new UploadClient(b.port(), TestServer.ADMIN);
  }

  private SyncServer server(String id) throws IOException {
    Map<String, String> env = schema.clusterEnv(tmp);
    env.put("SYNCJOBS_DATA_DIR", Files.createDirectories(tmp.resolve(id)).toString());
    env.put("SYNCJOBS_PORT", "0");
    env.put("SYNCJOBS_ADMIN_TOKEN", TestServer.ADMIN);
    env.put("SYNCJOBS_TIMEZONE", "UTC");
    env.put("SYNCJOBS_INSTANCE_ID", "instance-" + id);
    return ServerComponent.server(ServerConfig.load(env)).start();
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
  void a_chunk_stalled_on_one_instance_is_taken_over_by_the_same_chunk_on_the_other()
      throws Exception {
    byte[] file = random(2 * CHUNK, 1);
    String id = onA.started("stalled.bin", file.length, CHUNK, sha256(file));
    byte[] garbage = random(CHUNK, 2);
    int before = heldChunkLocks();
    try (Socket stalled =
        onA.stalled(
            "POST",
            "/api/v1/sync/upload/" + id + "/chunk/0",
            Map.of("X-Chunk-SHA256", sha256(garbage)),
            CHUNK,
            slice(garbage, 0, CHUNK / 2))) {
      Await.until(
          "instance a to hold chunk 0", Duration.ofSeconds(10), () -> heldChunkLocks() > before);

      long t0 = System.nanoTime();
      UploadClient.Response newer = onB.chunk(id, 0, slice(file, 0, CHUNK));
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      assertThat(newer.status()).as(newer.text()).isEqualTo(200);
      assertThat(took).as("well within the 30 s wait").isLessThan(Duration.ofSeconds(10));
      assertThat(statusOf(stalled)).isIn(409, -1);
    }
    assertThat(onB.chunk(id, 1, slice(file, CHUNK, CHUNK)).status()).isEqualTo(200);
    assertThat(onA.progress(id).data().get("status").asText()).isEqualTo("completed");
    assertThat(Files.readAllBytes(shared.resolve("stalled.bin"))).isEqualTo(file);
  }

  @Test
  void different_bytes_for_the_same_chunk_on_both_instances_at_once_leave_one_intact_version()
      throws Exception {
    int chunks = 4;
    String id = onA.started("raced.bin", (long) chunks * CHUNK, CHUNK, null);
    byte[][] stored = new byte[chunks][];
    for (int n = 0; n < chunks; n++) {
      byte[] x = random(CHUNK, 100 + n);
      byte[] y = random(CHUNK, 200 + n);
      CompletableFuture<Integer> toA = paced(a.port(), id, n, x);
      CompletableFuture<Integer> toB = paced(b.port(), id, n, y);
      int sa = toA.get(30, TimeUnit.SECONDS);
      int sb = toB.get(30, TimeUnit.SECONDS);
      assertThat(new int[] {sa, sb}).as("chunk " + n + ": one stored, one refused").contains(200);
      assertThat(sa == 200 && sb == 200).as("chunk " + n + ": not both").isFalse();
      assertThat(sa == 200 ? sb : sa).isEqualTo(409);
      stored[n] = sa == 200 ? x : y;
    }
    assertThat(onB.progress(id).data().get("status").asText()).isEqualTo("completed");
    byte[] landed = Files.readAllBytes(shared.resolve("raced.bin"));
    for (int n = 0; n < chunks; n++) {
      assertThat(sha256(slice(landed, n * CHUNK, CHUNK)))
          .as("chunk %d holds the bytes of the request that was answered 200", n)
          .isEqualTo(sha256(stored[n]));
    }
  }

  @Test
  void tus_patches_of_one_upload_on_both_instances_at_once_never_mix() throws Exception {
    byte[] file = random(4 * CHUNK, 7);
    UploadClient.Response created =
        onA.send(
            "POST",
            "/api/v1/tus/",
            null,
            Map.of(
                "Tus-Resumable",
                "1.0.0",
                "Upload-Length",
                Integer.toString(file.length),
                "Upload-Metadata",
                "file_path "
                    + java.util.Base64.getEncoder()
                        .encodeToString("tus-raced.bin".getBytes(StandardCharsets.UTF_8))));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    String location = URI.create(created.header("Location")).getPath();
    long offset = 0;
    while (offset < file.length) {
      byte[] part = slice(file, (int) offset, CHUNK);
      CompletableFuture<Integer> toA = pacedPatch(a.port(), location, offset, part);
      CompletableFuture<Integer> toB = pacedPatch(b.port(), location, offset, part);
      int sa = toA.get(30, TimeUnit.SECONDS);
      int sb = toB.get(30, TimeUnit.SECONDS);
      assertThat(new int[] {sa, sb}).as("at offset " + offset).contains(204);
      long now = Long.parseLong(onA.send("HEAD", location, null, tus()).header("Upload-Offset"));
      assertThat(now).isEqualTo(offset + CHUNK);
      offset = now;
    }
    Await.until(
        "the file to land",
        Duration.ofSeconds(10),
        () -> Files.exists(shared.resolve("tus-raced.bin")));
    assertThat(sha256(Files.readAllBytes(shared.resolve("tus-raced.bin")))).isEqualTo(sha256(file));
  }

  private static Map<String, String> tus() {
    return Map.of("Tus-Resumable", "1.0.0");
  }

  /** The advisory locks the servers' upload-lock connections hold now. */
  private static int heldChunkLocks() {
    try (Connection c =
            DriverManager.getConnection(
                PostgresSchema.URL, PostgresSchema.USER, PostgresSchema.PASSWORD);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                    + " WHERE l.locktype = 'advisory' AND l.granted"
                    + " AND a.application_name = 'syncjobs-upload-locks'")) {
      rs.next();
      return rs.getInt(1);
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  /** The status a stalled request was answered with, or -1 when its connection was closed. */
  private static int statusOf(Socket s) throws IOException {
    s.setSoTimeout(10_000);
    byte[] head = new byte[12];
    int n = 0;
    try {
      InputStream in = s.getInputStream();
      while (n < head.length) {
        int r = in.read(head, n, head.length - n);
        if (r < 0) {
          return -1;
        }
        n += r;
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the stalled request got no answer in 10 s", e);
    } catch (IOException reset) {
      return -1;
    }
    return Integer.parseInt(new String(head, 9, 3, StandardCharsets.ISO_8859_1));
  }

  private CompletableFuture<Integer> paced(int port, String id, int n, byte[] bytes) {
    return send(
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + port + "/api/v1/sync/upload/" + id + "/chunk/" + n))
            .header("Content-Type", "application/octet-stream")
            .header("X-Chunk-SHA256", sha256(bytes)),
        "POST",
        bytes);
  }

  private CompletableFuture<Integer> pacedPatch(
      int port, String location, long offset, byte[] bytes) {
    return send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + location))
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Offset", Long.toString(offset))
            .header("Content-Type", "application/offset+octet-stream"),
        "PATCH",
        bytes);
  }

  /** Sends {@code bytes} 16 KiB at a time, 20 ms apart, so two such requests overlap. */
  private static CompletableFuture<Integer> send(
      HttpRequest.Builder b, String method, byte[] bytes) {
    HttpRequest.BodyPublisher body =
        HttpRequest.BodyPublishers.fromPublisher(
            HttpRequest.BodyPublishers.ofInputStream(() -> new Paced(bytes)), bytes.length);
    HttpRequest request =
        b.header("Authorization", "Bearer " + TestServer.ADMIN)
            .timeout(Duration.ofSeconds(60))
            .method(method, body)
            .build();
    return HttpClient.newHttpClient()
        .sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .thenApply(HttpResponse::statusCode);
  }

  private static final class Paced extends InputStream {
    private final byte[] bytes;
    private int at;

    Paced(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (at >= bytes.length) {
        return -1;
      }
      if (at > 0 && at % (16 * 1024) == 0) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      int n = Math.min(len, Math.min(bytes.length - at, 16 * 1024 - at % (16 * 1024)));
      System.arraycopy(bytes, at, b, off, n);
      at += n;
      return n;
    }
  }
}
