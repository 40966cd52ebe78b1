package dev.syncjobs.app.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code syncjobs serve} as a child JVM, as an operator runs it: started, stopped with SIGTERM,
 * killed with SIGKILL and started again on the same data dir. Every start gets a new instance id
 * (in production it is host name + pid, so it changes across restarts too). Output goes to {@code
 * <home>/<name>-<start>.log}.
 */
final class ServerProcess implements AutoCloseable {
  static final String TOKEN = "faults-admin-token-0123456789";
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** An answer of the server's API. */
  record Answer(int status, JsonNode json) {
    JsonNode data() {
      return json.get("data");
    }
  }

  /** Servers still running when the test JVM exits (a test interrupted midway) are killed. */
  private static final java.util.Set<Process> LIVE =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "faults-reaper"));
  }

  final String name;
  final Path home;
  final Path dataDir;
  private final Map<String, String> env;
  private Process process;
  private int port;
  private int starts;
  private String instanceId;

  ServerProcess(String name, Path home, Map<String, String> env) {
    this.name = name;
    this.home = home;
    this.dataDir = home.resolve("data-" + name);
    this.env = Map.copyOf(env);
  }

  String instanceId() {
    return instanceId;
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  /** Starts the server and waits until it answers /health with 200. */
  ServerProcess start() {
    starts++;
    instanceId = name + "-" + starts;
    try {
      Files.createDirectories(dataDir);
      Files.deleteIfExists(dataDir.resolve("server.port"));
      ProcessBuilder pb =
          new ProcessBuilder(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-Xmx256m",
              "-XX:+UseSerialGC",
              "-XX:TieredStopAtLevel=1",
              "-cp",
              System.getProperty("java.class.path"),
              "dev.syncjobs.app.Main",
              "serve");
      Map<String, String> e = pb.environment();
      e.keySet().removeIf(k -> k.startsWith("SYNCJOBS_"));
      e.put("SYNCJOBS_DATA_DIR", dataDir.toString());
      e.put("SYNCJOBS_PORT", "0");
      e.put("SYNCJOBS_ADMIN_TOKEN", TOKEN);
      e.put("SYNCJOBS_MANUAL_RUN_INTERVAL_SECONDS", "0");
      e.put("SYNCJOBS_TIMEZONE", "UTC");
      e.put("SYNCJOBS_INSTANCE_ID", instanceId);
      e.putAll(env);
      pb.redirectErrorStream(true);
      pb.redirectOutput(home.resolve(instanceId + ".log").toFile());
      Process started = pb.start();
      LIVE.add(started);
      started.onExit().thenRun(() -> LIVE.remove(started));
      process = started;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Await.until(
        name + " to answer /health",
        Duration.ofSeconds(90),
        () -> {
          if (!process.isAlive()) {
            throw new AssertionError(instanceId + " exited at start:\n" + log());
          }
          Path f = dataDir.resolve("server.port");
          try {
            String text = Files.exists(f) ? Files.readString(f).trim() : "";
            if (text.isEmpty()) {
              return false;
            }
            port = Integer.parseInt(text);
            return health() == 200;
          } catch (IOException | NumberFormatException e) {
            return false;
          }
        });
    return this;
  }

  /** SIGTERM, then waits for the process to exit. */
  void terminate() {
    process.destroy();
    waitForExit("SIGTERM");
  }

  /** SIGKILL, then waits for the process to be gone. */
  void kill() {
    process.destroyForcibly();
    waitForExit("SIGKILL");
  }

  private void waitForExit(String signal) {
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError(instanceId + " did not exit within 60 s of " + signal);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The status of GET /health, or -1 when the server does not answer. */
  int health() {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create(base() + "/health"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  String base() {
    return "http://127.0.0.1:" + port;
  }

  Answer get(String path) {
    return call("GET", path, null);
  }

  Answer post(String path, String body) {
    return call("POST", path, body);
  }

  /** Calls the API; an I/O failure is an AssertionError naming the call. */
  Answer call(String method, String path, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base() + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + TOKEN);
    if (body != null) {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    try {
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode json =
          r.body().isEmpty() || !r.body().startsWith("{")
              ? JSON.createObjectNode().put("text", r.body())
              : JSON.readTree(r.body());
      return new Answer(r.statusCode(), json);
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + " on " + instanceId + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The text of {@code path} (e.g. a run's log). */
  String text(String path) {
    return call("GET", path, null).json().path("text").asText();
  }

  /** Creates a job and returns its id. */
  String createJob(String json) {
    Answer a = post("/api/v1/storage/sync-jobs", json);
    if (a.status() != 201) {
      throw new AssertionError("creating a job: " + a.status() + " " + a.json());
    }
    return a.data().get("id").asText();
  }

  /** Starts a manual run of {@code job}; returns its id. */
  String trigger(String job) {
    Answer a = post("/api/v1/storage/sync-jobs/" + job + "/run", null);
    if (a.status() != 202) {
      throw new AssertionError("triggering " + job + ": " + a.status() + " " + a.json());
    }
    return a.data().get("id").asText();
  }

  JsonNode run(String job, String run) {
    return get("/api/v1/storage/sync-jobs/" + job + "/runs/" + run).data();
  }

  /** Every run of {@code job}, newest first. */
  List<JsonNode> history(String job) {
    List<JsonNode> out = new ArrayList<>();
    for (int offset = 0; ; offset += 100) {
      Answer a = get("/api/v1/storage/sync-jobs/" + job + "/history?limit=100&offset=" + offset);
      a.data().forEach(out::add);
      if (a.data().size() < 100) {
        return out;
      }
    }
  }

  static boolean active(JsonNode run) {
    String s = run.get("status").asText();
    return s.equals("pending") || s.equals("running");
  }

  /** A job over an HTTP folder with no schedule, no retries and its own destination. */
  static String httpJob(String name, String url, String extra) {
    Map<String, Object> job = new HashMap<>();
    job.put("name", name);
    job.put("source_url", url);
    job.put("destination_backend_id", "default");
    job.put("destination_path", name);
    job.put("max_retries", 0);
    try {
      String base = JSON.writeValueAsString(job);
      return extra == null || extra.isEmpty()
          ? base
          : base.substring(0, base.length() - 1) + "," + extra + "}";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String log() {
    try {
      Path f = home.resolve(instanceId + ".log");
      return Files.exists(f) ? Files.readString(f) : "";
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (alive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
