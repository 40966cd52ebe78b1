package dev.syncjobs.app.web;

import static dev.syncjobs.app.web.TestServer.jobJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.syncjobs.core.model.JobId;
import dev.syncjobs.core.model.Progress;
import dev.syncjobs.core.model.ProgressEvent;
import dev.syncjobs.core.model.RunId;
import dev.syncjobs.core.model.RunStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Live progress over real WebSocket connections during real file:// runs. */
class WebSocketTest {
  static final String JOBS = "/api/v1/storage/sync-jobs";
  @TempDir static Path tmp;
  static TestServer s;
  static final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    s = new TestServer(tmp);
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  /** Collects every text message of one connection. */
  static final class Collector implements WebSocket.Listener {
    final List<JsonNode> messages = new CopyOnWriteArrayList<>();
    final List<Instant> times = new CopyOnWriteArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private final String finalRunId;
    final CountDownLatch sawFinal = new CountDownLatch(1);

    Collector(String finalRunId) {
      this.finalRunId = finalRunId;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          JsonNode m = TestServer.JSON.readTree(partial.toString());
          messages.add(m);
          times.add(Instant.now());
          String status = m.get("status").asText();
          if ((finalRunId == null || finalRunId.equals(m.get("run_id").asText()))
              && (status.equals("success")
                  || status.equals("failed")
                  || status.equals("cancelled"))) {
            sawFinal.countDown();
          }
        } catch (IOException e) {
          throw new AssertionError(e);
        }
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }

    List<JsonNode> forRun(String runId) {
      return messages.stream().filter(m -> runId.equals(m.get("run_id").asText())).toList();
    }
  }

  static WebSocket connect(String path, WebSocket.Listener listener) throws Exception {
    return client
        .newWebSocketBuilder()
        .buildAsync(
            URI.create(
                "ws://127.0.0.1:" + s.server.port() + path + "?access_token=" + TestServer.ADMIN),
            listener)
        .get(10, TimeUnit.SECONDS);
  }

  static Path slowSource(String name, int bytes) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(name));
    byte[] data = new byte[bytes];
    new java.util.Random(1).nextBytes(data);
    Files.write(dir.resolve("a.bin"), data);
    Files.write(dir.resolve("b.bin"), data);
    return dir;
  }

  @Test
  void a_client_sees_the_initial_state_progress_and_the_final_message_of_a_real_run()
      throws Exception {
    Path src = slowSource("progress-src", 400_000);
    String job =
        s.createJob(jobJson("progress-job", src, "progress", "\"bandwidth_limit\":400000"));
    Collector c = new Collector(null);
    WebSocket ws = connect("/api/v1/ws/sync/" + job, c);
    TestServer.await("the initial state", Duration.ofSeconds(5), () -> !c.messages.isEmpty());
    JsonNode initial = c.messages.get(0);
    assertThat(initial.get("job_id").asText()).isEqualTo(job);
    assertThat(initial.get("status").asText()).isEqualTo("idle");
    assertThat(initial.get("run_id").isNull()).isTrue();

    String run = s.post(JOBS + "/" + job + "/run", null).data().get("id").asText();
    assertThat(c.sawFinal.await(30, TimeUnit.SECONDS)).isTrue();
    List<JsonNode> msgs = c.forRun(run);
    JsonNode last = msgs.get(msgs.size() - 1);
    assertThat(last.get("status").asText()).isEqualTo("success");
    assertThat(last.get("progress_percent").asDouble()).isEqualTo(100.0);
    assertThat(last.get("bytes_transferred").asLong()).isEqualTo(800_000);
    assertThat(last.get("files_synced").asInt()).isEqualTo(2);
    for (String key :
        new String[] {
          "job_id",
          "run_id",
          "status",
          "current_file",
          "files_synced",
          "files_total",
          "bytes_transferred",
          "bytes_total",
          "progress_percent",
          "bytes_per_second",
          "eta_seconds",
          "error"
        }) {
      assertThat(last.has(key)).as(key).isTrue();
    }
    List<JsonNode> running =
        msgs.stream().filter(m -> m.get("status").asText().equals("running")).toList();
    assertThat(running)
        .as("intermediate progress")
        .anySatisfy(
            m -> {
              assertThat(m.get("bytes_transferred").asLong()).isBetween(1L, 799_999L);
              assertThat(m.get("progress_percent").asDouble()).isBetween(0.1, 99.9);
            });
    Duration span =
        Duration.between(
            c.times.get(c.messages.indexOf(msgs.get(0))), c.times.get(c.messages.indexOf(last)));
    assertThat(running.size())
        .as("at most 2 progress messages per second plus status changes")
        .isLessThanOrEqualTo((int) (2 * (span.toMillis() / 1000.0 + 1)) + 1);
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
  }

  @Test
  void the_all_jobs_stream_sends_the_state_of_every_job_on_connect() throws Exception {
    Path src = slowSource("state-src", 1000);
    String job = s.createJob(jobJson("state-job", src, "state", ""));
    String run = s.post(JOBS + "/" + job + "/run", null).data().get("id").asText();
    s.awaitRunEnd(job, run, Duration.ofSeconds(30));
    Collector c = new Collector(null);
    WebSocket ws = connect("/api/v1/ws/sync", c);
    TestServer.await(
        "the state of state-job",
        Duration.ofSeconds(5),
        () -> c.messages.stream().anyMatch(m -> m.get("job_id").asText().equals(job)));
    JsonNode state =
        c.messages.stream().filter(m -> m.get("job_id").asText().equals(job)).findFirst().get();
    assertThat(state.get("run_id").asText()).isEqualTo(run);
    assertThat(state.get("status").asText()).isEqualTo("success");
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
  }

  @Test
  void two_hundred_concurrent_clients_all_get_the_final_message() throws Exception {
    Path src = slowSource("many-src", 200_000);
    String job = s.createJob(jobJson("many-job", src, "many", "\"bandwidth_limit\":400000"));
    List<Collector> collectors = new ArrayList<>();
    List<CompletableFuture<WebSocket>> pending = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      Collector c = new Collector(null);
      collectors.add(c);
      String path = i % 2 == 0 ? "/api/v1/ws/sync" : "/api/v1/ws/sync/" + job;
      pending.add(
          client
              .newWebSocketBuilder()
              .buildAsync(
                  URI.create(
                      "ws://127.0.0.1:"
                          + s.server.port()
                          + path
                          + "?access_token="
                          + TestServer.VIEWER),
                  c));
    }
    List<WebSocket> sockets = new ArrayList<>();
    for (CompletableFuture<WebSocket> f : pending) {
      sockets.add(f.get(30, TimeUnit.SECONDS));
    }
    TestServer.await(
        "200 registered clients",
        Duration.ofSeconds(10),
        () -> s.server.sockets().clientCount() >= 200);
    String run = s.post(JOBS + "/" + job + "/run", null).data().get("id").asText();
    for (int i = 0; i < collectors.size(); i++) {
      Collector c = collectors.get(i);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      TestServer.await(
          "client " + i + " to see the final message",
          Duration.ofNanos(Math.max(1, deadline - System.nanoTime())),
          () -> c.forRun(run).stream().anyMatch(m -> m.get("status").asText().equals("success")));
    }
    for (WebSocket w : sockets) {
      w.abort();
    }
  }

  @Test
  void a_client_that_never_reads_slows_neither_the_run_nor_the_other_clients() throws Exception {
    Path src = slowSource("stall-src", 300_000);
    String job = s.createJob(jobJson("stall-job", src, "stall", "\"bandwidth_limit\":300000"));
    try (Socket stalled = stalledClient("/api/v1/ws/sync/" + job)) {
      Collector reader = new Collector(null);
      WebSocket ws = connect("/api/v1/ws/sync/" + job, reader);
      String run = s.post(JOBS + "/" + job + "/run", null).data().get("id").asText();

      JobId jobId = new JobId(UUID.fromString(job));
      RunId fake = new RunId(UUID.randomUUID());
      String file = "x".repeat(2000);
      long start = System.nanoTime();
      for (int i = 0; i < 20_000; i++) {
        s.server
            .sockets()
            .publish(
                new ProgressEvent(
                    jobId,
                    fake,
                    RunStatus.RUNNING,
                    new Progress(i, 20_000, i, 20_000, file, 1),
                    null));
      }
      s.server
          .sockets()
          .publish(new ProgressEvent(jobId, fake, RunStatus.CANCELLED, Progress.NONE, "test"));
      Duration flood = Duration.ofNanos(System.nanoTime() - start);
      assertThat(flood)
          .as("publishing never blocks on a stalled client")
          .isLessThan(Duration.ofSeconds(5));

      JsonNode done = s.awaitRunEnd(job, run, Duration.ofSeconds(30));
      assertThat(done.get("status").asText()).isEqualTo("success");
      Duration took =
          Duration.between(
              Instant.parse(done.get("started_at").asText()),
              Instant.parse(done.get("completed_at").asText()));
      assertThat(took)
          .as("the run keeps its pace (600 KB at 300 KB/s)")
          .isLessThan(Duration.ofSeconds(8));
      TestServer.await(
          "the reading client's final message",
          Duration.ofSeconds(10),
          () ->
              reader.forRun(run).stream()
                  .anyMatch(m -> m.get("status").asText().equals("success")));
      TestServer.await(
          "the fake run's final message",
          Duration.ofSeconds(10),
          () ->
              reader.forRun(fake.value().toString()).stream()
                  .anyMatch(m -> m.get("status").asText().equals("cancelled")));
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
    }
  }

  /** Opens a WebSocket by hand, reads the handshake answer, then never reads again. */
  static Socket stalledClient(String path) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(4096);
    socket.connect(new InetSocketAddress("127.0.0.1", s.server.port()), 5000);
    OutputStream out = socket.getOutputStream();
    out.write(
        ("GET "
                + path
                + "?access_token="
                + TestServer.ADMIN
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = socket.getInputStream();
    byte[] head = new byte[12];
    int n = 0;
    while (n < head.length) {
      int r = in.read(head, n, head.length - n);
      if (r < 0) {
        break;
      }
      n += r;
    }
    assertThat(new String(head, 0, n, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 101");
    return socket;
  }
}
