package dev.syncjobs.app.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend that fills up: a 16 MiB tmpfs, a source file larger than that. The run fails at once
 * naming the backend and its free space, leaves nothing of the file behind and keeps {@code
 * current}; once the file left the source the next run succeeds. Needs root to mount the tmpfs.
 */
class DiskFullTest {
  private static final int BIG = 24 << 20;
  private static Path mount;

  @BeforeAll
  static void mountTmpfs() throws Exception {
    mount = Files.createTempDirectory("syncjobs-full");
    boolean root = "0".equals(run("id", "-u").trim());
    String message = "SKIPPED: mounting a tmpfs backend needs root";
    if (!root) {
      if ("true".equals(System.getenv("CI"))) {
        fail(message + " and CI=true requires it");
      }
      System.err.println("*** " + message + " ***");
      Assumptions.assumeTrue(false, message);
    }
    run("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mount.toString());
  }

  @AfterAll
  static void unmount() throws Exception {
    if (mount != null) {
      run("umount", mount.toString());
      Files.deleteIfExists(mount);
    }
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  private TestServer server(Path tmp, Path backend, Path sourceRoot) throws IOException {
    Files.createDirectories(backend);
    Files.writeString(backend.resolve(".syncjobs-backend"), "");
    return new TestServer(
        tmp,
        Map.of(
            "SYNCJOBS_BACKENDS",
            "small=" + backend,
            "SYNCJOBS_LOCAL_SOURCE_ROOTS",
            sourceRoot.toString()));
  }

  private static String runOnce(TestServer s, String job) {
    TestServer.Response r = s.post("/api/v1/storage/sync-jobs/" + job + "/run", "{}");
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    String runId = r.data().get("id").asText();
    JsonNode run = s.awaitRunEnd(job, runId, Duration.ofSeconds(60));
    return run.get("status").asText() + "|" + run.get("error").asText("");
  }

  private static List<Path> filesOver(Path dir, long bytes) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(Files::isRegularFile)
          .filter(
              p -> {
                try {
                  return Files.size(p) > bytes;
                } catch (IOException e) {
                  return false;
                }
              })
          .toList();
    }
  }

  private static void assertFullRun(TestServer s, String job, Path dest, Path v1)
      throws IOException {
    String outcome = runOnce(s, job);
    assertThat(outcome).startsWith("failed|backend 'small' is full (").contains("bytes free");
    assertThat(filesOver(mount, 1 << 20)).as("half-written files left").isEmpty();
    assertThat(Files.readSymbolicLink(dest.resolve("current"))).isEqualTo(v1.getFileName());
    JsonNode history = s.get("/api/v1/storage/sync-jobs/" + job + "/history").json();
    assertThat(history.get("total").asInt()).as("no retry was queued").isEqualTo(2);
  }

  @Test
  void a_file_source_larger_than_the_backend_fails_cleanly_and_the_next_run_succeeds(
      @TempDir Path tmp) throws Exception {
    Path source = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(source.resolve("small.txt"), "small");
    Path backend = mount.resolve("local");
    try (TestServer s = server(tmp, backend, source)) {
      String job =
          s.createJob(
              "{\"name\":\"full-local\",\"source_url\":\""
                  + source.toUri()
                  + "\",\"destination_backend_id\":\"small\",\"destination_path\":\"m\"}");
      assertThat(runOnce(s, job)).startsWith("success");
      Path dest = backend.resolve("m");
      Path v1 = dest.resolve(Files.readSymbolicLink(dest.resolve("current")));

      Files.write(source.resolve("big.bin"), new byte[BIG]);
      assertFullRun(s, job, dest, v1);

      Files.delete(source.resolve("big.bin"));
      Files.writeString(source.resolve("second.txt"), "second");
      assertThat(runOnce(s, job)).startsWith("success");
      assertThat(dest.resolve("current/second.txt")).hasContent("second");
    } finally {
      deleteTree(backend);
    }
  }

  @Test
  void an_http_source_larger_than_the_backend_fails_without_retrying_and_the_next_run_succeeds(
      @TempDir Path tmp) throws Exception {
    Map<String, byte[]> files = new ConcurrentHashMap<>();
    files.put("small.txt", "small".getBytes(StandardCharsets.UTF_8));
    AtomicInteger bigGets = new AtomicInteger();
    HttpServer http = httpSource(files, bigGets);
    Path backend = mount.resolve("http");
    try (TestServer s = server(tmp, backend, Files.createDirectories(tmp.resolve("src")))) {
      String job =
          s.createJob(
              "{\"name\":\"full-http\",\"source_url\":\"http://127.0.0.1:"
                  + http.getAddress().getPort()
                  + "/\",\"destination_backend_id\":\"small\",\"destination_path\":\"m\"}");
      assertThat(runOnce(s, job)).startsWith("success");
      Path dest = backend.resolve("m");
      Path v1 = dest.resolve(Files.readSymbolicLink(dest.resolve("current")));

      files.put("big.bin", new byte[BIG]);
      assertFullRun(s, job, dest, v1);
      assertThat(bigGets.get()).as("GETs of the file that did not fit").isEqualTo(1);

      files.remove("big.bin");
      files.put("second.txt", "second".getBytes(StandardCharsets.UTF_8));
      assertThat(runOnce(s, job)).startsWith("success");
      assertThat(dest.resolve("current/second.txt")).hasContent("second");
    } finally {
      http.stop(0);
      deleteTree(backend);
    }
  }

  /**
   * A directory listing of {@code files} on loopback; a file over 1 MiB is sent without a length
   * (neither the listing nor the answer states it, so only the write can find out it does not fit).
   */
  private static HttpServer httpSource(Map<String, byte[]> files, AtomicInteger bigGets)
      throws IOException {
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext(
        "/",
        ex -> {
          String name = ex.getRequestURI().getPath().substring(1);
          boolean head = ex.getRequestMethod().equals("HEAD");
          byte[] b = files.get(name);
          if (name.isEmpty()) {
            StringBuilder html = new StringBuilder("<html><body>");
            files.keySet().forEach(f -> html.append("<a href=\"").append(f).append("\">x</a>\n"));
            byte[] page = html.append("</body></html>").toString().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/html");
            ex.sendResponseHeaders(200, head ? -1 : page.length);
            if (!head) {
              ex.getResponseBody().write(page);
            }
          } else if (b == null) {
            ex.sendResponseHeaders(404, -1);
          } else if (b.length > (1 << 20)) {
            ex.getResponseHeaders().set("Last-Modified", "Mon, 23 Nov 2026 03:00:00 GMT");
            if (head) {
              ex.sendResponseHeaders(200, -1);
            } else {
              if (name.equals("big.bin")) {
                bigGets.incrementAndGet();
              }
              ex.sendResponseHeaders(200, 0);
              try (OutputStream out = ex.getResponseBody()) {
                for (int at = 0; at < b.length; at += 1 << 16) {
                  out.write(b, at, Math.min(1 << 16, b.length - at));
                }
              } catch (IOException e) {
                // the client stopped reading
              }
            }
          } else {
            ex.getResponseHeaders().set("Last-Modified", "Mon, 23 Nov 2026 03:00:00 GMT");
            ex.sendResponseHeaders(200, head ? -1 : b.length);
            if (!head) {
              ex.getResponseBody().write(b);
            }
          }
          ex.close();
        });
    http.start();
    return http;
  }

  @Test
  void a_file_source_run_is_not_jammed_by_the_temp_file_an_interrupted_attempt_left(
      @TempDir Path tmp) throws Exception {
    Path source = Files.createDirectories(tmp.resolve("src"));
    Files.write(source.resolve("mid.bin"), new byte[8 << 20]);
    Path backend = mount.resolve("local-left");
    Path staging = backend.resolve("m/20200101T000000Z.partial");
    try (TestServer s = server(tmp, backend, source)) {
      Files.createDirectories(staging);
      Files.write(staging.resolve(".syncjobs-tmp-big.bin"), new byte[10 << 20]);
      String job =
          s.createJob(
              "{\"name\":\"left-local\",\"source_url\":\""
                  + source.toUri()
                  + "\",\"destination_backend_id\":\"small\",\"destination_path\":\"m\"}");
      assertThat(runOnce(s, job)).startsWith("success");
      assertThat(backend.resolve("m/current/mid.bin")).hasSize(8 << 20);
    } finally {
      deleteTree(backend);
    }
  }

  @Test
  void an_http_run_is_not_jammed_by_the_partial_download_of_a_file_the_source_dropped(
      @TempDir Path tmp) throws Exception {
    Map<String, byte[]> files = new ConcurrentHashMap<>();
    files.put("mid.bin", new byte[8 << 20]);
    HttpServer http = httpSource(files, new AtomicInteger());
    Path backend = mount.resolve("http-left");
    Path staging = backend.resolve("m/20200101T000000Z.partial");
    Path partial = backend.resolve("m/.syncjobs/20200101T000000Z.partial/partial");
    try (TestServer s = server(tmp, backend, Files.createDirectories(tmp.resolve("src")))) {
      Files.createDirectories(staging);
      Files.createDirectories(partial);
      String key =
          java.util.HexFormat.of()
              .formatHex(
                  java.security.MessageDigest.getInstance("SHA-256")
                      .digest("big.bin".getBytes(StandardCharsets.UTF_8)))
              .substring(0, 32);
      Files.write(partial.resolve(key + ".part"), new byte[10 << 20]);
      String job =
          s.createJob(
              "{\"name\":\"left-http\",\"source_url\":\"http://127.0.0.1:"
                  + http.getAddress().getPort()
                  + "/\",\"destination_backend_id\":\"small\",\"destination_path\":\"m\"}");
      assertThat(runOnce(s, job)).startsWith("success");
      assertThat(backend.resolve("m/current/mid.bin")).hasSize(8 << 20);
    } finally {
      http.stop(0);
      deleteTree(backend);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        p.toFile().setWritable(true);
        Files.deleteIfExists(p);
      }
    }
  }
}
