package dev.syncjobs.app.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.syncjobs.app.config.ServerConfig;
import dev.syncjobs.app.wiring.ServerComponent;
import dev.syncjobs.core.testing.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** A real server on a free loopback port over a temporary data dir, and an HTTP client for it. */
final class TestServer implements AutoCloseable {
  static final String ADMIN = "admin-token-0123456789abcdef";
  static final String VIEWER = "viewer-token-0123456789abcdef";
  static final ObjectMapper JSON = new ObjectMapper();

  final Path dataDir;
  final SyncServer server;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  record Response(int status, String body, HttpResponse<String> raw) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    JsonNode data() {
      return json().get("data");
    }

    String contentType() {
      return raw.headers().firstValue("Content-Type").orElse("");
    }
  }

  TestServer(Path root) {
    this(root, Map.of());
  }

  TestServer(Path root, Map<String, String> extra) {
    this.dataDir = root.resolve("data");
    Map<String, String> env = new HashMap<>();
    env.put("SYNCJOBS_DATA_DIR", dataDir.toString());
    env.put("SYNCJOBS_PORT", "0");
    env.put("SYNCJOBS_ADMIN_TOKEN", ADMIN);
    env.put("SYNCJOBS_VIEWER_TOKEN", VIEWER);
    env.put("SYNCJOBS_MANUAL_RUN_INTERVAL_SECONDS", "0");
    env.put("SYNCJOBS_TIMEZONE", "UTC");
    env.put("SYNCJOBS_LOCAL_SOURCE_ROOTS", root.toString());
    env.putAll(extra);
    env.values().removeIf(v -> v == null);
    this.server = ServerComponent.server(ServerConfig.load(env)).start();
  }

  String base() {
    return "http://127.0.0.1:" + server.port();
  }

  Response send(String method, String path, String token, String body, String contentType) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(20));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      b.header("Content-Type", contentType == null ? "application/json" : contentType);
      b.method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body(), r);
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  Response get(String path) {
    return send("GET", path, ADMIN, null, null);
  }

  Response post(String path, String body) {
    return send("POST", path, ADMIN, body, null);
  }

  Response patch(String path, String body) {
    return send("PATCH", path, ADMIN, body, null);
  }

  Response delete(String path) {
    return send("DELETE", path, ADMIN, null, null);
  }

  /** Creates a job from JSON and returns its id. */
  String createJob(String json) {
    Response r = post("/api/v1/storage/sync-jobs", json);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.data().get("id").asText();
  }

  /** A source folder with {@code files} files of {@code size} random-ish bytes. */
  static Path sourceTree(Path dir, int files, int size) throws IOException {
    Files.createDirectories(dir.resolve("sub"));
    byte[] data = new byte[size];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 31 + 7);
    }
    for (int i = 0; i < files; i++) {
      Files.write(dir.resolve(i % 2 == 0 ? "f" + i + ".bin" : "sub/f" + i + ".bin"), data);
    }
    return dir;
  }

  static String jobJson(String name, Path source, String dest, String extra) {
    return "{\"name\":\""
        + name
        + "\",\"source_url\":\""
        + source.toUri()
        + "\",\"destination_backend_id\":\"default\",\"destination_path\":\""
        + dest
        + "\""
        + (extra == null || extra.isEmpty() ? "" : "," + extra)
        + "}";
  }

  /** Polls until the job's latest run is finished; returns that run. */
  JsonNode awaitRunEnd(String jobId, String runId, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode run = get("/api/v1/storage/sync-jobs/" + jobId + "/runs/" + runId).data();
      String s = run.get("status").asText();
      if (!s.equals("pending") && !s.equals("running")) {
        return run;
      }
      pause();
    }
    throw new AssertionError("run " + runId + " did not end within " + timeout);
  }

  static void await(String what, Duration timeout, BooleanSupplier condition) {
    Await.until(what, timeout, condition);
  }

  private static void pause() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
