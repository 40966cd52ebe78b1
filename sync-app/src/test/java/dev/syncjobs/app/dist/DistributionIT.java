package dev.syncjobs.app.dist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.syncjobs.app.metrics.PrometheusText;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution an operator installs ({@code syncjobs-<version>.tar.gz}, built by {@code mvn
 * package}): unpacked into a temporary folder, its launcher starts the server from there.
 */
class DistributionIT {
  static final String TOKEN = "dist-admin-token-0123456789";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  Process process;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void stop() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  static Path tarball() {
    Path p = Path.of(System.getProperty("syncjobs.dist", "target/syncjobs.tar.gz"));
    assertThat(p).as("the distribution (mvn package builds it)").isRegularFile();
    return p;
  }

  /** Unpacks the tarball with the system's tar, as an operator would; returns its one folder. */
  Path unpack() throws Exception {
    Path into = Files.createDirectories(tmp.resolve("opt"));
    Process tar =
        new ProcessBuilder("tar", "-xzf", tarball().toString(), "-C", into.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(tar.getInputStream().readAllBytes());
    assertThat(tar.waitFor()).as(out).isZero();
    try (Stream<Path> s = Files.list(into)) {
      List<Path> top = s.toList();
      assertThat(top).hasSize(1);
      assertThat(top.get(0).getFileName().toString()).startsWith("syncjobs-");
      return top.get(0);
    }
  }

  static Set<String> files(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString())
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  @Test
  void holds_the_launcher_the_jar_an_example_config_and_a_hardened_systemd_unit() throws Exception {
    Path dist = unpack();
    assertThat(files(dist))
        .containsExactly("lib/syncjobs.jar", "syncjobs", "syncjobs.env", "syncjobs.service");
    assertThat(Files.getPosixFilePermissions(dist.resolve("syncjobs")))
        .contains(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);

    List<String> env = Files.readAllLines(dist.resolve("syncjobs.env"));
    for (String line : env) {
      if (!line.isBlank() && !line.startsWith("#")) {
        assertThat(line).as("a systemd EnvironmentFile line").matches("SYNCJOBS_[A-Z_]+=\\S*");
      }
    }
    String envText = String.join("\n", env);
    Set<String> documented = new TreeSet<>();
    Matcher m =
        Pattern.compile("^\\| `(SYNCJOBS_[A-Z_]+)`", Pattern.MULTILINE)
            .matcher(
                Files.readString(
                    Path.of(System.getProperty("syncjobs.docs", "../docs"), "configuration.md")));
    while (m.find()) {
      documented.add(m.group(1));
    }
    assertThat(documented).hasSizeGreaterThan(20);
    for (String key : documented) {
      assertThat(envText).as("the example config documents " + key).contains(key + "=");
    }

    List<String> unit = Files.readAllLines(dist.resolve("syncjobs.service"));
    assertThat(unit)
        .contains(
            "ExecStart=/opt/syncjobs/syncjobs serve",
            "EnvironmentFile=/etc/syncjobs/syncjobs.env",
            "StateDirectory=syncjobs",
            "ProtectSystem=strict",
            "NoNewPrivileges=yes",
            "KillSignal=SIGTERM")
        .anyMatch(l -> l.startsWith("ReadWritePaths="))
        .anyMatch(l -> l.startsWith("User=") || l.equals("DynamicUser=yes"));
    verifyWithSystemd(dist, unit);
  }

  /** systemd's own check of the unit, pointed at the unpacked launcher. */
  void verifyWithSystemd(Path dist, List<String> unit) throws Exception {
    if (!Files.isExecutable(Path.of("/usr/bin/systemd-analyze"))) {
      String msg =
          "DistributionIT: systemd-analyze is missing, the unit is not verified by systemd";
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError(msg);
      }
      System.err.println("SKIPPED: " + msg);
      return;
    }
    Path copy = tmp.resolve("syncjobs.service");
    Files.write(
        copy,
        unit.stream()
            .map(
                l ->
                    l.replace("/opt/syncjobs/syncjobs", dist.resolve("syncjobs").toString())
                        .replace(
                            "EnvironmentFile=/etc/syncjobs/", "EnvironmentFile=-/etc/syncjobs/"))
            .toList());
    Process p =
        new ProcessBuilder("/usr/bin/systemd-analyze", "verify", "--man=no", copy.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).as(out).doesNotContain("Unknown key", "Failed to parse", "Unknown section");
  }

  @Test
  void the_server_starts_from_the_unpacked_folder_and_comes_back_from_a_backup_of_its_files()
      throws Exception {
    Path dist = unpack();
    Path data = tmp.resolve("data");
    int port = start(dist, data, "first");
    HttpResponse<String> metrics = call(port, "GET", "/metrics", null);
    assertThat(metrics.statusCode()).isEqualTo(200);
    PrometheusText text = PrometheusText.parse(metrics.body());
    assertThat(text.value("syncjobs_active_runs")).isZero();
    assertThat(text.samples()).anySatisfy(s -> assertThat(s.name()).startsWith("jvm_"));
    HttpResponse<String> created =
        call(
            port,
            "POST",
            "/api/v1/storage/sync-jobs",
            "{\"name\":\"backed-up\",\"source_url\":\"https://127.0.0.1:9/data/\","
                + "\"destination_backend_id\":\"default\",\"destination_path\":\"mirror\","
                + "\"source_auth\":{\"type\":\"basic\",\"username\":\"alice\","
                + "\"password\":\"s3cret\"}}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String id = JSON.readTree(created.body()).get("data").get("id").asText();
    stopGracefully("first");

    // the backup of docs/operations.md: with the server stopped, the database files and the key
    Path backup = Files.createDirectories(tmp.resolve("backup"));
    try (Stream<Path> s = Files.list(data)) {
      for (Path f : s.toList()) {
        String name = f.getFileName().toString();
        if (name.startsWith("syncjobs.db") || name.equals("secret.key")) {
          Files.copy(f, backup.resolve(name), StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    Path restored = Files.createDirectories(tmp.resolve("restored"));
    try (Stream<Path> s = Files.list(backup)) {
      for (Path f : s.toList()) {
        Files.copy(f, restored.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
    port = start(dist, restored, "restored");
    HttpResponse<String> job = call(port, "GET", "/api/v1/storage/sync-jobs/" + id, null);
    assertThat(job.statusCode()).as(job.body()).isEqualTo(200);
    assertThat(JSON.readTree(job.body()).get("data").get("source_auth").get("username").asText())
        .isEqualTo("alice");
    stopGracefully("restored");
  }

  int start(Path dist, Path data, String name) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(dist.resolve("syncjobs").toString(), "serve");
    pb.directory(tmp.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("SYNCJOBS_"));
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("SYNCJOBS_HOST", "127.0.0.1");
    env.put("SYNCJOBS_PORT", "0");
    env.put("SYNCJOBS_DATA_DIR", data.toString());
    env.put("SYNCJOBS_ADMIN_TOKEN", TOKEN);
    pb.redirectErrorStream(true).redirectOutput(tmp.resolve(name + ".log").toFile());
    process = pb.start();
    return awaitHealthy(data, tmp.resolve(name + ".log"));
  }

  void stopGracefully(String name) throws Exception {
    process.destroy();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the server stops on SIGTERM").isTrue();
    assertThat(Files.readString(tmp.resolve(name + ".log"))).contains("syncjobs stopped");
  }

  HttpResponse<String> call(int port, String method, String path, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer " + TOKEN)
            .timeout(Duration.ofSeconds(20));
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  int awaitHealthy(Path data, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("the server exited: " + Files.readString(log));
      }
      Path portFile = data.resolve("server.port");
      if (Files.exists(portFile)) {
        String text = Files.readString(portFile).trim();
        if (!text.isEmpty()) {
          int port = Integer.parseInt(text);
          try {
            int status =
                http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                            .build(),
                        HttpResponse.BodyHandlers.ofString())
                    .statusCode();
            if (status == 200) {
              return port;
            }
          } catch (IOException e) {
            // not listening yet
          }
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no /health 200 within 60 s: " + Files.readString(log));
  }
}
